using System.Buffers.Binary;
using System.Text;
using NAudio.Wave;

namespace JukeboxBridge.Audio.Wav;

/// <summary>What a WAV file held, besides the samples.</summary>
public sealed record WavInfo(WavSampleFormat Format, int Channels, int SampleRate, long Frames, bool Extensible);

/// <summary>
/// Reads RIFF/WAVE (and RF64) files: integer PCM 8/16/24/32-bit, IEEE float 32/64,
/// WAVE_FORMAT_EXTENSIBLE, 1..8 channels. Unknown and odd-sized chunks are skipped (with their pad
/// byte). Truncated, corrupt or unsupported files raise <see cref="AudioFormatException"/> naming the problem.
/// NAudio parses the fmt chunk and converts the samples; the chunk walk is our own, because NAudio's
/// WaveFileReader silently shortens a truncated data chunk and refuses files whose RIFF size is 0 (as streaming
/// recorders write it), where this reader names the truncation and reads the file.
/// </summary>
public static class WavReader
{
    public const int MaxChannels = 8;
    private const ushort TagPcm = 1, TagFloat = 3, TagExtensible = 0xFFFE;

    public static AudioClip Read(string path) => Read(path, out _);

    public static AudioClip Read(string path, out WavInfo info)
    {
        if (!File.Exists(path)) throw new AudioFormatException($"{path}: file not found");
        byte[] bytes = File.ReadAllBytes(path);
        return Read(bytes, Path.GetFileName(path), out info);
    }

    public static AudioClip Read(ReadOnlySpan<byte> b, string name, out WavInfo info)
    {
        if (b.Length < 12) throw Fail(name, $"{b.Length} bytes is too short for a WAV file");
        string riff = Encoding.ASCII.GetString(b[..4]);
        if (riff == "RIFX") throw Fail(name, "big-endian WAV (RIFX) is not supported");
        if (riff != "RIFF" && riff != "RF64") throw Fail(name, $"not a WAV file (starts with '{Printable(b[..4])}', expected 'RIFF')");
        if (Encoding.ASCII.GetString(b.Slice(8, 4)) != "WAVE") throw Fail(name, $"RIFF file of type '{Printable(b.Slice(8, 4))}', not 'WAVE'");

        int pos = 12;
        WaveFormat? format = null;
        bool extensible = false;
        Guid subFormat = Guid.Empty;
        long rf64DataSize = -1;
        while (pos + 8 <= b.Length)
        {
            string id = Encoding.ASCII.GetString(b.Slice(pos, 4));
            long size = BinaryPrimitives.ReadUInt32LittleEndian(b.Slice(pos + 4, 4));
            int body = pos + 8;
            switch (id)
            {
                case "ds64":
                    if (size < 24 || body + 24 > b.Length) throw Fail(name, "RF64 file with a short ds64 chunk");
                    rf64DataSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(b.Slice(body + 8, 8));
                    break;
                case "fmt ":
                {
                    if (size < 16 || body + 16 > b.Length) throw Fail(name, $"fmt chunk is {size} bytes; at least 16 needed");
                    int fmtLen = (int)Math.Min(size, b.Length - body);
                    format = ParseFormat(name, b.Slice(body, fmtLen));
                    extensible = format.Encoding == WaveFormatEncoding.Extensible;
                    subFormat = extensible ? new Guid(b.Slice(body + 24, 16)) : Guid.Empty;
                    break;
                }
                case "data":
                {
                    if (format is null) throw Fail(name, "data chunk comes before the fmt chunk");
                    var (fmt, plain) = CheckFormat(name, format, subFormat);
                    int blockAlign = format.BlockAlign, channels = format.Channels;
                    long avail = b.Length - body;
                    if (size == 0xFFFFFFFF) size = rf64DataSize >= 0 ? rf64DataSize : avail; // RF64, or a streamed header
                    if (size > avail)
                        throw Fail(name, $"truncated: the data chunk says {size} bytes but only {avail} follow");
                    long frames = size / blockAlign; // a partial trailing frame is dropped
                    info = new WavInfo(fmt, channels, format.SampleRate, frames, extensible);
                    return Decode(b.Slice(body, (int)(frames * blockAlign)), plain);
                }
            }
            long next = body + size + (size & 1); // chunks are padded to an even length
            if (next > b.Length && id != "data")
            {
                if (body + size > b.Length) throw Fail(name, $"truncated: the '{Printable(b.Slice(pos, 4))}' chunk runs past the end of the file");
                next = b.Length; // missing final pad byte
            }
            pos = (int)next;
        }
        throw Fail(name, format is not null ? "no data chunk (truncated file?)" : "no fmt chunk (truncated or not a WAV file)");
    }

    /// <summary>The fmt chunk through NAudio (for WAVE_FORMAT_EXTENSIBLE the caller reads the SubFormat GUID at byte 24).</summary>
    private static WaveFormat ParseFormat(string name, ReadOnlySpan<byte> chunk)
    {
        if (BinaryPrimitives.ReadUInt16LittleEndian(chunk) == TagExtensible && chunk.Length < 40)
            throw Fail(name, "WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes");
        try
        {
            using var br = new BinaryReader(new MemoryStream(chunk.ToArray()));
            return WaveFormat.FromFormatChunk(br, chunk.Length);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or ArgumentException)
        {
            throw Fail(name, $"corrupt fmt chunk ({e.Message})");
        }
    }

    /// <summary>Our sample format for a WAV format, and the plain (non-extensible) NAudio format that decodes it.</summary>
    private static (WavSampleFormat Format, WaveFormat Plain) CheckFormat(string name, WaveFormat wf, Guid subFormat)
    {
        int channels = wf.Channels, rate = wf.SampleRate, bits = wf.BitsPerSample;
        ushort tag = wf.Encoding == WaveFormatEncoding.Extensible ? SubFormatTag(subFormat) : (ushort)wf.Encoding;
        if (channels < 1 || channels > MaxChannels) throw Fail(name, $"{channels} channels; 1 to {MaxChannels} are supported");
        if (rate < 1 || rate > 1_536_000) throw Fail(name, $"sample rate {rate} Hz is not valid");
        WavSampleFormat fmt = (tag, bits) switch
        {
            (TagPcm, 8) => WavSampleFormat.Pcm8,
            (TagPcm, 16) => WavSampleFormat.Pcm16,
            (TagPcm, 24) => WavSampleFormat.Pcm24,
            (TagPcm, 32) => WavSampleFormat.Pcm32,
            (TagFloat, 32) => WavSampleFormat.Float32,
            (TagFloat, 64) => WavSampleFormat.Float64,
            (TagPcm, _) => throw Fail(name, $"{bits}-bit integer PCM is not supported (8, 16, 24, 32 are)"),
            (TagFloat, _) => throw Fail(name, $"{bits}-bit float is not supported (32, 64 are)"),
            _ => throw Fail(name, $"unsupported WAV encoding {EncodingName(tag)}; convert it to PCM or float first (e.g. with ffmpeg)"),
        };
        if (wf.BlockAlign != channels * (bits / 8))
            throw Fail(name, $"block align {wf.BlockAlign} does not match {channels} channels of {bits} bits");
        var plain = WaveFormat.CreateCustomFormat(tag == TagFloat ? WaveFormatEncoding.IeeeFloat : WaveFormatEncoding.Pcm,
            rate, channels, rate * wf.BlockAlign, wf.BlockAlign, bits);
        return (fmt, plain);
    }

    /// <summary>The format tag a KSDATAFORMAT_SUBTYPE GUID stands for (its first two bytes; 0 when not the standard base GUID).</summary>
    private static ushort SubFormatTag(Guid g)
    {
        Span<byte> b = stackalloc byte[16];
        g.TryWriteBytes(b);
        ReadOnlySpan<byte> baseTail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        return b[2..].SequenceEqual(baseTail) ? BinaryPrimitives.ReadUInt16LittleEndian(b) : (ushort)0;
    }

    /// <summary>Deinterleaves the data through NAudio's sample converters (integer PCM scaled by 1/2^(bits-1)).</summary>
    private static AudioClip Decode(ReadOnlySpan<byte> d, WaveFormat plain)
    {
        int channels = plain.Channels, frames = d.Length / plain.BlockAlign;
        var ch = new float[channels][];
        for (int c = 0; c < channels; c++) ch[c] = new float[frames];
        var samples = new BytesWaveProvider(d.ToArray(), plain).ToSampleProvider();
        var buf = new float[Math.Max(channels, 8192 / channels * channels)];
        int frame = 0;
        for (int n; frame < frames && (n = samples.Read(buf.AsSpan())) > 0;)
            for (int i = 0; i + channels <= n && frame < frames; i += channels, frame++)
                for (int c = 0; c < channels; c++) ch[c][frame] = buf[i + c];
        if (frame != frames) throw new InvalidOperationException($"decoded {frame} of {frames} frames");
        return new AudioClip(plain.SampleRate, ch);
    }

    /// <summary>A byte array as an NAudio wave provider.</summary>
    private sealed class BytesWaveProvider(byte[] data, WaveFormat format) : IWaveProvider
    {
        private int _pos;
        public WaveFormat WaveFormat => format;
        public int Read(Span<byte> buffer)
        {
            int n = Math.Min(buffer.Length, data.Length - _pos);
            data.AsSpan(_pos, n).CopyTo(buffer);
            _pos += n;
            return n;
        }
    }

    private static string EncodingName(ushort tag) => tag switch
    {
        2 => "0x0002 (Microsoft ADPCM)", 6 => "0x0006 (A-law)", 7 => "0x0007 (mu-law)",
        0x11 => "0x0011 (IMA ADPCM)", 0x55 => "0x0055 (MP3)", 0 => "0x0000 (unknown)",
        _ => $"0x{tag:x4}",
    };

    private static string Printable(ReadOnlySpan<byte> s) =>
        new(s.ToArray().Select(c => c >= 32 && c < 127 ? (char)c : '?').ToArray());

    private static AudioFormatException Fail(string name, string msg) => new($"{name}: {msg}");
}
