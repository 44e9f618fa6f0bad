namespace JukeboxBridge.Benchmarks;

/// <summary>One measurement: named fields (as the issue names them) and whether it met its target.</summary>
public sealed record Measurement(IReadOnlyDictionary<string, object> Fields, bool Passed = true);

public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    IReadOnlyList<Measurement> Run(string[] options);
}
