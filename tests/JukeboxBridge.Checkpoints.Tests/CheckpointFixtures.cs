using System.Text.Json;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Checkpoints.Tests;

/// <summary>checkpoints/checkpoints.json: every fixture file and every tensor it must hold.</summary>
public static class CheckpointFixtures
{
    public static string Dir => Fixtures.Dir("checkpoints");

    private static readonly Lazy<JsonDocument> Doc = new(() =>
        JsonDocument.Parse(PythonJson(File.ReadAllText(Path.Combine(Dir, "checkpoints.json")))));

    /// <summary>Python's json writes Infinity/NaN bare; make them the strings our metadata JSON uses.</summary>
    public static string PythonJson(string text) =>
        System.Text.RegularExpressions.Regex.Replace(text, @"(?<=[:\[,]\s*)(-?Infinity|NaN)(?=\s*[,\]}])",
            m => m.Value switch { "Infinity" => "\"inf\"", "-Infinity" => "\"-inf\"", _ => "\"nan\"" });

    public static JsonElement Files => Doc.Value.RootElement.GetProperty("files");
    public static JsonElement TensorSets => Doc.Value.RootElement.GetProperty("tensor_sets");

    public static IEnumerable<object[]> FileNames()
    {
        var names = Files.EnumerateObject().Select(p => p.Name).ToList();
        if (names.Count == 0) throw new InvalidOperationException("checkpoints.json lists no files");
        return names.Select(n => new object[] { n });
    }

    /// <summary>Expected tensors of a file, by the name it stores them under.</summary>
    public static Dictionary<string, JsonElement> ExpectedTensors(string file)
    {
        var f = Files.GetProperty(file);
        var set = TensorSets.GetProperty(f.GetProperty("tensor_set").GetString()!);
        bool safetensors = f.GetProperty("format").GetString() == "safetensors";
        var d = new Dictionary<string, JsonElement>();
        foreach (var p in set.EnumerateObject())
        {
            if (safetensors)
            {
                if (!p.Name.StartsWith("model/")) continue; // safetensors copies hold the model only
                d[p.Name["model/".Length..]] = p.Value;
            }
            else d[p.Name] = p.Value;
        }
        return d;
    }
}
