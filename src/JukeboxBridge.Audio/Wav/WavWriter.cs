using System.Buffers.Binary;
using System.Text;

namespace JukeboxBridge.Audio.Wav;

/// <summary>
/// Writes WAV files atomically (temporary file, then rename). Integer PCM is rounded to nearest and
/// clipped; files with more than two channels use WAVE_FORMAT_EXTENSIBLE with the standard channel mask.
/// </summary>
public static class WavWriter
{
    public static void Write(string path, AudioClip clip, WavSampleFormat format)
    {
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string tmp = full + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
                Write(fs, clip, format);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch { }
            throw;
        }
    }

    public static byte[] ToBytes(AudioClip clip, WavSampleFormat format)
    {
        using var ms = new MemoryStream();
        Write(ms, clip, format);
        return ms.ToArray();
    }

    public static void Write(Stream s, AudioClip clip, WavSampleFormat format)
    {
        int channels = clip.ChannelCount, bps = format.Bits() / 8, block = channels * bps;
        long dataBytes = (long)clip.Frames * block;
        bool extensible = channels > 2;
        int fmtSize = extensible ? 40 : format.IsFloat() ? 18 : 16;
        bool fact = format.IsFloat();
        long riffSize = 4 + (8 + fmtSize) + (fact ? 12 : 0) + 8 + dataBytes + (dataBytes & 1);
        if (riffSize > uint.MaxValue) throw new ArgumentException($"{clip.DurationSeconds:F0} s of {channels}-channel {format.Label()} exceeds the 4 GB WAV limit");

        var h = new List<byte>();
        void Str(string x) => h.AddRange(Encoding.ASCII.GetBytes(x));
        void U16(int v) { var t = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(t, (ushort)v); h.AddRange(t); }
        void U32(long v) { var t = new byte[4]; BinaryPrimitives.WriteUInt32LittleEndian(t, (uint)v); h.AddRange(t); }
        ushort tag = format.IsFloat() ? (ushort)3 : (ushort)1;

        Str("RIFF"); U32(riffSize); Str("WAVE");
        Str("fmt "); U32(fmtSize);
        U16(extensible ? 0xFFFE : tag); U16(channels); U32(clip.SampleRate); U32((long)clip.SampleRate * block); U16(block); U16(format.Bits());
        if (extensible)
        {
            U16(22); U16(format.Bits()); U32(ChannelMask(channels));
            U16(tag); h.AddRange(new byte[] { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 });
        }
        else if (fmtSize == 18) U16(0);
        if (fact) { Str("fact"); U32(4); U32(clip.Frames); }
        Str("data"); U32(dataBytes);
        s.Write(h.ToArray());

        var buf = new byte[Math.Max(block, 65536 / block * block)];
        int framesPerBuf = buf.Length / block;
        for (int start = 0; start < clip.Frames; start += framesPerBuf)
        {
            int n = Math.Min(framesPerBuf, clip.Frames - start), p = 0;
            for (int i = start; i < start + n; i++)
                for (int c = 0; c < channels; c++, p += bps)
                    Encode(buf.AsSpan(p), clip.Channels[c][i], format);
            s.Write(buf, 0, n * block);
        }
        if ((dataBytes & 1) == 1) s.WriteByte(0);
    }

    private static void Encode(Span<byte> d, float x, WavSampleFormat f)
    {
        switch (f)
        {
            case WavSampleFormat.Pcm8: d[0] = (byte)(Quantize(x, 128) + 128); break;
            case WavSampleFormat.Pcm16: BinaryPrimitives.WriteInt16LittleEndian(d, (short)Quantize(x, 32768)); break;
            case WavSampleFormat.Pcm24:
            {
                int v = (int)Quantize(x, 8388608);
                d[0] = (byte)v; d[1] = (byte)(v >> 8); d[2] = (byte)(v >> 16);
                break;
            }
            case WavSampleFormat.Pcm32: BinaryPrimitives.WriteInt32LittleEndian(d, (int)Quantize(x, 2147483648.0)); break;
            case WavSampleFormat.Float32: BinaryPrimitives.WriteSingleLittleEndian(d, x); break;
            default: BinaryPrimitives.WriteDoubleLittleEndian(d, x); break;
        }
    }

    /// <summary>Round to nearest, clip to [-full, full-1]; NaN becomes 0.</summary>
    private static long Quantize(float x, double full)
    {
        if (float.IsNaN(x)) return 0;
        double v = Math.Round(x * full, MidpointRounding.AwayFromZero);
        return (long)Math.Clamp(v, -full, full - 1);
    }

    private static uint ChannelMask(int channels) => channels switch
    {
        1 => 0x4, 2 => 0x3, 3 => 0x7, 4 => 0x33, 5 => 0x37, 6 => 0x3F, 7 => 0x13F, 8 => 0x63F,
        _ => 0,
    };
}
