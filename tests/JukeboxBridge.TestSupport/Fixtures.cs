namespace JukeboxBridge.TestSupport;

/// <summary>
/// Locates the reference fixtures: $JUKEBOX_FIXTURES (relative to the repository root), else tests/fixtures in the
/// repository (found by walking up from the test binary to the folder holding JukeboxBridge.sln).
/// </summary>
public static class Fixtures
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string Root
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("JUKEBOX_FIXTURES");
            string root = string.IsNullOrWhiteSpace(env)
                ? Path.Combine(RepoRoot, "tests", "fixtures")
                : Path.GetFullPath(env, RepoRoot);
            if (!Directory.Exists(root))
                throw new DirectoryNotFoundException($"fixture folder not found: {root} (set JUKEBOX_FIXTURES)");
            return root;
        }
    }

    public static string Dir(string sub) => Path.Combine(Root, sub);

    private static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "JukeboxBridge.sln"))) return d.FullName;
        throw new InvalidOperationException("cannot find the repository root (JukeboxBridge.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>numpy.allclose-style check: |got-want| &lt;= atol + rtol*|want|.</summary>
    public static bool Close(double got, double want, double atol, double rtol) =>
        Math.Abs(got - want) <= atol + rtol * Math.Abs(want) || (double.IsNaN(got) && double.IsNaN(want)) || got == want;
}

/// <summary>A temporary folder removed when disposed.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "jbtest-" + Guid.NewGuid().ToString("N")[..10]);
    public TempDir() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch { } }
}
