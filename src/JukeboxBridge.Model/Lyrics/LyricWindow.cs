namespace JukeboxBridge.Model.Lyrics;

/// <summary>The lyric tokens a window conditions on, and which characters of the full lyrics they are (−1 = padding).</summary>
public sealed record LyricWindowTokens(long[] Tokens, long[] Indices);

/// <summary>
/// Chooses the n lyric tokens for a window of audio (reference get_relevant_lyric_tokens): fewer lyrics than
/// n are left-padded with zeros; otherwise the window is centred on the character at the same fraction of the
/// lyrics as the window's midpoint is of the song (lyrics assumed spread evenly), clamped to the ends.
/// </summary>
public static class LyricWindow
{
    /// <param name="float32Midpoint">
    /// Evaluate the midpoint as the sampler does (float32: offset + duration/2, times |F|, divided by total) instead of
    /// in double as the label builder does; the two can differ by one character.
    /// </param>
    public static LyricWindowTokens Select(IReadOnlyList<long> full, int n, long totalLength, long offset, long duration, bool float32Midpoint)
    {
        if (n <= 0 || n % 2 != 0) throw new ArgumentException($"lyric window size must be even and positive (got {n})");
        int len = full.Count;
        if (len < n)
        {
            var tokens = new long[n];
            var idx = new long[n];
            for (int i = 0; i < n - len; i++) idx[i] = -1;
            for (int i = 0; i < len; i++) { tokens[n - len + i] = full[i]; idx[n - len + i] = i; }
            return new LyricWindowTokens(tokens, idx);
        }
        if (totalLength <= 0) throw new ArgumentException("total_length must be positive");
        long mid;
        if (float32Midpoint)
        {
            float pos = (float)offset + (float)(duration / 2.0);
            mid = (long)((float)len * pos / (float)totalLength);
        }
        else mid = (long)(len * (offset + duration / 2.0) / totalLength);
        mid = Math.Min(Math.Max(mid, n / 2), len - n / 2);
        var t = new long[n];
        var ix = new long[n];
        for (int i = 0; i < n; i++) { ix[i] = mid - n / 2 + i; t[i] = full[(int)ix[i]]; }
        return new LyricWindowTokens(t, ix);
    }
}
