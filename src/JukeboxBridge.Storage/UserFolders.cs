namespace JukeboxBridge.Storage;

/// <summary>The per-user config folder (Linux: $XDG_CONFIG_HOME/jukeboxbridge or ~/.config/jukeboxbridge): keys, client file, styles.</summary>
public static class UserFolders
{
    public static string ConfigDir()
    {
        if (OperatingSystem.IsWindows()) return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData), "JukeboxBridge");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        if (OperatingSystem.IsMacOS()) return Path.Combine(home, "Library", "Application Support", "JukeboxBridge");
        string? xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".config") : xdg, "jukeboxbridge");
    }
}
