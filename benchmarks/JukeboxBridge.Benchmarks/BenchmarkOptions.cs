namespace JukeboxBridge.Benchmarks;

/// <summary>The value after an option name on a benchmark's command line ("--seconds 10"), or a default.</summary>
public static class BenchmarkOptions
{
    public static string Get(string[] options, string name, string defaultValue)
    {
        int i = Array.IndexOf(options, name);
        return i >= 0 && i + 1 < options.Length ? options[i + 1] : defaultValue;
    }
}
