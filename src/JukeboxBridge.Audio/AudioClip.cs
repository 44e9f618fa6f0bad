namespace JukeboxBridge.Audio;

/// <summary>Planar float audio: one array per channel, nominally in [-1, 1).</summary>
public sealed class AudioClip
{
    public int SampleRate { get; }
    public float[][] Channels { get; }
    public int ChannelCount => Channels.Length;
    public int Frames => Channels.Length == 0 ? 0 : Channels[0].Length;
    public double DurationSeconds => (double)Frames / SampleRate;

    public AudioClip(int sampleRate, float[][] channels)
    {
        if (sampleRate <= 0) throw new ArgumentOutOfRangeException(nameof(sampleRate), $"sample rate must be positive (got {sampleRate})");
        if (channels.Length == 0) throw new ArgumentException("a clip needs at least one channel");
        if (channels.Any(c => c.Length != channels[0].Length)) throw new ArgumentException("channels differ in length");
        SampleRate = sampleRate;
        Channels = channels;
    }

    public static AudioClip Mono(int sampleRate, float[] samples) => new(sampleRate, new[] { samples });

    /// <summary>Average of all channels (stereo: (L+R)/2). Returns this clip if already mono.</summary>
    public AudioClip ToMono()
    {
        if (ChannelCount == 1) return this;
        var m = new float[Frames];
        float scale = 1f / ChannelCount;
        foreach (var ch in Channels)
            for (int i = 0; i < m.Length; i++) m[i] += ch[i];
        for (int i = 0; i < m.Length; i++) m[i] *= scale;
        return Mono(SampleRate, m);
    }

    /// <summary>Interleaved frames (L R L R ...).</summary>
    public float[] Interleave()
    {
        int c = ChannelCount, n = Frames;
        var r = new float[c * n];
        for (int ch = 0; ch < c; ch++)
        {
            var src = Channels[ch];
            for (int i = 0; i < n; i++) r[i * c + ch] = src[i];
        }
        return r;
    }

    public static AudioClip FromInterleaved(int sampleRate, int channels, ReadOnlySpan<float> data)
    {
        if (channels <= 0) throw new ArgumentOutOfRangeException(nameof(channels));
        int n = data.Length / channels;
        var chs = new float[channels][];
        for (int ch = 0; ch < channels; ch++)
        {
            var d = chs[ch] = new float[n];
            for (int i = 0; i < n; i++) d[i] = data[i * channels + ch];
        }
        return new AudioClip(sampleRate, chs);
    }
}
