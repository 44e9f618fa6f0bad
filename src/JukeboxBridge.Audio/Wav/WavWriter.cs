using JukeboxBridge.Errors;
using System.Buffers.Binary;
using NAudio.Wave;

namespace JukeboxBridge.Audio.Wav;

/// <summary>
/// Writes WAV files atomically and durably (temporary file, fsync, rename: Storage.AtomicFile). Integer PCM is rounded to nearest and
/// clipped; files with more than two channels use WAVE_FORMAT_EXTENSIBLE with the standard channel mask.
/// </summary>
public static class WavWriter
{
    public static void Write(string path, AudioClip clip, WavSampleFormat format) =>
        JukeboxBridge.Storage.AtomicFile.Write(path, fs => Write(fs, clip, format));

    /// <summary>A WAV with a Broadcast Wave bext chunk (after the data chunk, where every RIFF reader skips or reads it).</summary>
    public static void Write(string path, AudioClip clip, WavSampleFormat format, BextInfo bext) =>
        JukeboxBridge.Storage.AtomicFile.Write(path, fs =>
        {
            Write(fs, clip, format);
            var payload = bext.ToPayload();
            fs.Seek(0, SeekOrigin.End);
            Span<byte> head = stackalloc byte[8];
            "bext"u8.CopyTo(head);
            BinaryPrimitives.WriteUInt32LittleEndian(head[4..], (uint)payload.Length);
            fs.Write(head);
            fs.Write(payload);
            if ((payload.Length & 1) == 1) fs.WriteByte(0);
            long riff = fs.Length - 8;
            if (riff > uint.MaxValue) throw new UserInputException("--seconds", $"{clip.DurationSeconds:F0} s exceeds the 4 GB WAV limit");
            Span<byte> size = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(size, (uint)riff);
            fs.Seek(4, SeekOrigin.Begin);
            fs.Write(size);
            fs.Seek(0, SeekOrigin.End);
        });

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
        long riffSize = 4 + (8 + 40) + 12 + 8 + dataBytes + (dataBytes & 1);
        if (riffSize > uint.MaxValue) throw new UserInputException("--seconds", $"{clip.DurationSeconds:F0} s of {channels}-channel {format.Label()} exceeds the 4 GB WAV limit");

        // NAudio writes the RIFF structure (fmt, fact for float, sizes patched on close, the data pad byte); the
        // samples are ours: NAudio's WriteSample truncates towards zero and scales by 2^(bits-1)-1, where we round to
        // nearest and scale by 2^(bits-1), the inverse of the reader.
        using var w = new WaveFileWriter(new NonClosingStream(s), WaveFormatOf(clip.SampleRate, channels, format));
        var buf = new byte[Math.Max(block, 65536 / block * block)];
        int framesPerBuf = buf.Length / block;
        for (int start = 0; start < clip.Frames; start += framesPerBuf)
        {
            int n = Math.Min(framesPerBuf, clip.Frames - start), p = 0;
            for (int i = start; i < start + n; i++)
                for (int c = 0; c < channels; c++, p += bps)
                    Encode(buf.AsSpan(p), clip.Channels[c][i], format);
            w.Write(buf.AsSpan(0, n * block));
        }
    }

    /// <summary>Plain PCM/float for mono and stereo; WAVE_FORMAT_EXTENSIBLE with the standard channel mask above two.</summary>
    private static WaveFormat WaveFormatOf(int rate, int channels, WavSampleFormat format)
    {
        int bits = format.Bits();
        if (channels > 2)
            return new WaveFormatExtensible(rate, bits, channels,
                format.IsFloat() ? AudioMediaSubtypes.MEDIASUBTYPE_IEEE_FLOAT : AudioMediaSubtypes.MEDIASUBTYPE_PCM, bits, (int)ChannelMask(channels));
        return format.IsFloat()
            ? WaveFormat.CreateCustomFormat(WaveFormatEncoding.IeeeFloat, rate, channels, rate * channels * bits / 8, channels * bits / 8, bits)
            : new WaveFormat(rate, bits, channels);
    }

    /// <summary>WaveFileWriter closes its stream on dispose; the caller owns it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => inner.CanSeek;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => inner.Position = value; }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
        public override void SetLength(long value) => inner.SetLength(value);
        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);
        protected override void Dispose(bool disposing) { if (disposing) inner.Flush(); }
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
