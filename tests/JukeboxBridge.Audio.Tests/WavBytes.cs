using System.Text;

namespace JukeboxBridge.Audio.Tests;

/// <summary>Builds WAV files byte by byte, independently of our writer, so reader tests see real layouts.</summary>
public sealed class WavBytes
{
    private readonly List<(string Id, byte[] Body)> _chunks = new();

    public static byte[] Fmt(ushort tag, int channels, int rate, int bits, int? blockAlign = null)
    {
        int ba = blockAlign ?? channels * bits / 8;
        var b = new List<byte>();
        b.AddRange(BitConverter.GetBytes(tag)); b.AddRange(BitConverter.GetBytes((ushort)channels));
        b.AddRange(BitConverter.GetBytes(rate)); b.AddRange(BitConverter.GetBytes(rate * ba));
        b.AddRange(BitConverter.GetBytes((ushort)ba)); b.AddRange(BitConverter.GetBytes((ushort)bits));
        return b.ToArray();
    }

    public static byte[] FmtExtensible(ushort subTag, int channels, int rate, int bits, uint mask)
    {
        var b = new List<byte>(Fmt(0xFFFE, channels, rate, bits));
        b.AddRange(BitConverter.GetBytes((ushort)22)); b.AddRange(BitConverter.GetBytes((ushort)bits));
        b.AddRange(BitConverter.GetBytes(mask)); b.AddRange(BitConverter.GetBytes(subTag));
        b.AddRange(new byte[] { 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71 });
        return b.ToArray();
    }

    public WavBytes Chunk(string id, byte[] body) { _chunks.Add((id, body)); return this; }

    public byte[] Build(bool padOddChunks = true, long? dataSizeOverride = null)
    {
        var b = new List<byte>();
        foreach (var (id, body) in _chunks)
        {
            b.AddRange(Encoding.ASCII.GetBytes(id));
            long size = id == "data" && dataSizeOverride.HasValue ? dataSizeOverride.Value : body.Length;
            b.AddRange(BitConverter.GetBytes((uint)size));
            b.AddRange(body);
            if (padOddChunks && body.Length % 2 == 1) b.Add(0);
        }
        var head = new List<byte>(Encoding.ASCII.GetBytes("RIFF"));
        head.AddRange(BitConverter.GetBytes((uint)(4 + b.Count)));
        head.AddRange(Encoding.ASCII.GetBytes("WAVE"));
        return head.Concat(b).ToArray();
    }
}
