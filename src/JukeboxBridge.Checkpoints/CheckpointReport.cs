using System.Text;
using System.Text.Json;

namespace JukeboxBridge.Checkpoints;

/// <summary>What <c>jukebox inspect</c> prints: every tensor as stored, with dtype, shape and float64 sum, and the metadata.</summary>
public static class CheckpointReport
{
    /// <summary>{"format", "metadata", "tensors": [{"name", "dtype", "shape", "sum"}]}</summary>
    public static string ToJson(CheckpointFile f, bool indented = false)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("format", f.Format.Name());
            w.WritePropertyName("metadata");
            PyJson.Write(w, f.Metadata);
            w.WriteStartArray("tensors");
            foreach (var t in f.Tensors)
            {
                w.WriteStartObject();
                w.WriteString("name", t.Name);
                w.WriteString("dtype", t.DType.TorchName());
                w.WriteStartArray("shape");
                foreach (var s in t.Shape) w.WriteNumberValue(s);
                w.WriteEndArray();
                double sum = t.Sum();
                if (double.IsFinite(sum)) w.WriteNumber("sum", sum);
                else w.WriteString("sum", double.IsNaN(sum) ? "nan" : sum > 0 ? "inf" : "-inf");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(ms.ToArray());
    }

    /// <summary>A human-readable listing: header lines, then one aligned row per tensor.</summary>
    public static string ToText(CheckpointFile f)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"file:    {f.Path}");
        sb.AppendLine($"format:  {f.Format.Name()}");
        if (f.Step is long step) sb.AppendLine($"step:    {step}");
        foreach (var (k, v) in f.Metadata.Items)
        {
            string key = ObjectTree.KeyText(k);
            if (key == "step") continue;
            string json = Json(v);
            sb.AppendLine($"{key + ":",-8} {(json.Length > 120 ? json[..117] + "..." : json)}");
        }
        long total = f.Tensors.Sum(t => t.NumElements);
        long bytes = f.Tensors.Sum(t => t.ByteLength);
        sb.AppendLine($"tensors: {f.Tensors.Count} ({total:N0} elements, {bytes / 1048576.0:F1} MiB)");
        sb.AppendLine();
        int nameW = Math.Min(90, f.Tensors.Select(t => t.Name.Length).DefaultIfEmpty(4).Max());
        sb.AppendLine($"{"name".PadRight(nameW)}  {"dtype",-8}  {"shape",-20}  sum");
        foreach (var t in f.Tensors)
            sb.AppendLine($"{t.Name.PadRight(nameW)}  {t.DType.TorchName(),-8}  {"[" + string.Join(", ", t.Shape) + "]",-20}  {t.Sum():G10}");
        return sb.ToString();
    }

    private static string Json(object? v)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            PyJson.Write(w, v);
        return Encoding.UTF8.GetString(ms.ToArray());
    }
}
