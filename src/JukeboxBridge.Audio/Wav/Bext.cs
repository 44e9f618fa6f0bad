using System.Buffers.Binary;
using System.Text;

namespace JukeboxBridge.Audio.Wav;

/// <summary>
/// The Broadcast Wave (EBU Tech 3285) bext chunk of a take: a description, the originator, when it was made, and
/// the time reference: the sample (at the file's rate) where the file's first sample belongs on a timeline. DAWs
/// (Ardour's "import at original position", Reaper, Pro Tools) place a file there.
/// </summary>
public sealed record BextInfo(string Description, long TimeReference, string Originator = "JukeboxBridge", DateTimeOffset? Origination = null)
{
    private const int FixedBytes = 602;   // description 256, originator 32, reference 32, date 10, time 8, time ref 8, version 2, UMID 64, loudness 10, reserved 180

    /// <summary>The chunk's payload (version 1, no coding history).</summary>
    public byte[] ToPayload()
    {
        var b = new byte[FixedBytes];
        Ascii(Description, b.AsSpan(0, 256));
        Ascii(Originator, b.AsSpan(256, 32));
        var at = (Origination ?? DateTimeOffset.UtcNow).UtcDateTime;
        Ascii(at.ToString("yyyy-MM-dd"), b.AsSpan(320, 10));
        Ascii(at.ToString("HH:mm:ss"), b.AsSpan(330, 8));
        BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(338, 8), (ulong)Math.Max(0, TimeReference));
        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(346, 2), 1);
        return b;
    }

    /// <summary>The bext chunk of a WAV file's bytes, or null when it has none (or a short one).</summary>
    public static BextInfo? Find(ReadOnlySpan<byte> wav)
    {
        if (wav.Length < 12 || !wav[..4].SequenceEqual("RIFF"u8) || !wav.Slice(8, 4).SequenceEqual("WAVE"u8)) return null;
        for (long pos = 12; pos + 8 <= wav.Length;)
        {
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(wav.Slice((int)pos + 4, 4));
            long body = pos + 8;
            if (wav.Slice((int)pos, 4).SequenceEqual("bext"u8))
            {
                if (size < 348 || body + size > wav.Length) return null;
                var p = wav.Slice((int)body, (int)size).ToArray();
                string Text(int o, int n) => Encoding.ASCII.GetString(p, o, n).TrimEnd('\0');
                DateTimeOffset? when = DateTimeOffset.TryParse($"{Text(320, 10)}T{Text(330, 8)}Z", out var t) ? t : null;
                return new BextInfo(Text(0, 256), (long)BinaryPrimitives.ReadUInt64LittleEndian(p.AsSpan(338, 8)), Text(256, 32), when);
            }
            pos = body + size + (size & 1);
        }
        return null;
    }

    private static void Ascii(string s, Span<byte> dst)
    {
        int n = 0;
        foreach (char c in s)
        {
            if (n >= dst.Length) break;
            dst[n++] = c is >= ' ' and <= '~' ? (byte)c : (byte)'?';
        }
    }
}
