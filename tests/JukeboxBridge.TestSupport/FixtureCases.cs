using System.Text.Json;

namespace JukeboxBridge.TestSupport;

/// <summary>A fixture case: its JSON (parsed) and its tensor file.</summary>
public sealed record FixtureCase(string Name, string JsonPath, string TensorPath, JsonElement Json)
{
    public override string ToString() => Name; // xunit shows this
}

/// <summary>Discovers cases by scanning a fixture folder for *.json and dispatching on "kind" (never on names).</summary>
public static class FixtureCases
{
    public static IReadOnlyList<FixtureCase> OfKind(string subfolder, string kind)
    {
        var dir = Fixtures.Dir(subfolder);
        var cases = new List<FixtureCase>();
        foreach (var json in Directory.GetFiles(dir, "*.json").OrderBy(f => f, StringComparer.Ordinal))
        {
            JsonElement root;
            try { root = JsonDocument.Parse(File.ReadAllText(json)).RootElement.Clone(); }
            catch (JsonException) { continue; }
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("kind", out var k) || k.GetString() != kind) continue;
            string tensors = root.TryGetProperty("tensor_file", out var tf) && tf.GetString() is string f
                ? Path.Combine(dir, f) : Path.ChangeExtension(json, ".safetensors");
            cases.Add(new FixtureCase(Path.GetFileNameWithoutExtension(json), json, tensors, root));
        }
        if (cases.Count == 0) throw new InvalidOperationException($"no fixture case of kind '{kind}' in {dir}");
        return cases;
    }

    /// <summary>For [MemberData]: one row per case.</summary>
    public static IEnumerable<object[]> Rows(string subfolder, string kind) => OfKind(subfolder, kind).Select(c => new object[] { c.Name });

    public static FixtureCase Get(string subfolder, string kind, string name) => OfKind(subfolder, kind).Single(c => c.Name == name);
}
