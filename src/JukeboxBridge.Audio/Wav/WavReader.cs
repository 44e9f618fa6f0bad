using System.Buffers.Binary;
using System.Text;

namespace JukeboxBridge.Audio.Wav;

/// <summary>What a WAV file held, besides the samples.</summary>
public sealed record WavInfo(WavSampleFormat Format, int Channels, int SampleRate, long Frames, bool Extensible);

/// <summary>
/// Reads RIFF/WAVE (and RF64) files: integer PCM 8/16/24/32-bit, IEEE float 32/64,
/// WAVE_FORMAT_EXTENSIBLE, 1..8 channels. Unknown and odd-sized chunks are skipped (with their pad
/// byte). Truncated, corrupt or unsupported files raise <see cref="AudioFormatException"/> naming the problem.
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
        ushort tag = 0, channels = 0, blockAlign = 0, bits = 0;
        int rate = 0;
        bool haveFmt = false, extensible = false;
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
                    if (size < 16 || body + 16 > b.Length) throw Fail(name, $"fmt chunk is {size} bytes; at least 16 needed");
                    var f = b.Slice(body, (int)Math.Min(size, b.Length - body));
                    tag = BinaryPrimitives.ReadUInt16LittleEndian(f);
                    channels = BinaryPrimitives.ReadUInt16LittleEndian(f[2..]);
                    rate = (int)Math.Min(int.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(f[4..]));
                    blockAlign = BinaryPrimitives.ReadUInt16LittleEndian(f[12..]);
                    bits = BinaryPrimitives.ReadUInt16LittleEndian(f[14..]);
                    if (tag == TagExtensible)
                    {
                        if (f.Length < 40) throw Fail(name, "WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes");
                        extensible = true;
                        tag = BinaryPrimitives.ReadUInt16LittleEndian(f[24..]); // first two bytes of the SubFormat GUID
                    }
                    haveFmt = true;
                    break;
                case "data":
                {
                    if (!haveFmt) throw Fail(name, "data chunk comes before the fmt chunk");
                    var fmt = CheckFormat(name, tag, channels, rate, blockAlign, bits);
                    long avail = b.Length - body;
                    if (size == 0xFFFFFFFF) size = rf64DataSize >= 0 ? rf64DataSize : avail; // RF64, or a streamed header
                    if (size > avail)
                        throw Fail(name, $"truncated: the data chunk says {size} bytes but only {avail} follow");
                    long frames = size / blockAlign; // a partial trailing frame is dropped
                    info = new WavInfo(fmt, channels, rate, frames, extensible);
                    return Decode(b.Slice(body, (int)(frames * blockAlign)), fmt, channels, rate);
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
        throw Fail(name, haveFmt ? "no data chunk (truncated file?)" : "no fmt chunk (truncated or not a WAV file)");
    }

    private static WavSampleFormat CheckFormat(string name, ushort tag, ushort channels, int rate, ushort blockAlign, ushort bits)
    {
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
        if (blockAlign != channels * (bits / 8))
            throw Fail(name, $"block align {blockAlign} does not match {channels} channels of {bits} bits");
        return fmt;
    }

    private static AudioClip Decode(ReadOnlySpan<byte> d, WavSampleFormat fmt, int channels, int rate)
    {
        int bps = fmt.Bits() / 8;
        int frames = d.Length / (bps * channels);
        var ch = new float[channels][];
        for (int c = 0; c < channels; c++) ch[c] = new float[frames];
        int p = 0;
        for (int i = 0; i < frames; i++)
            for (int c = 0; c < channels; c++, p += bps)
                ch[c][i] = fmt switch
                {
                    WavSampleFormat.Pcm8 => (d[p] - 128) / 128f,
                    WavSampleFormat.Pcm16 => BinaryPrimitives.ReadInt16LittleEndian(d[p..]) / 32768f,
                    WavSampleFormat.Pcm24 => ((d[p] | (d[p + 1] << 8) | (d[p + 2] << 16)) << 8 >> 8) / 8388608f,
                    WavSampleFormat.Pcm32 => (float)(BinaryPrimitives.ReadInt32LittleEndian(d[p..]) / 2147483648.0),
                    WavSampleFormat.Float32 => BinaryPrimitives.ReadSingleLittleEndian(d[p..]),
                    _ => (float)BinaryPrimitives.ReadDoubleLittleEndian(d[p..]),
                };
        return new AudioClip(rate, ch);
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
