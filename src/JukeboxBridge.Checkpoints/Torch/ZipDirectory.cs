using System.Buffers.Binary;
using System.Text;

namespace JukeboxBridge.Checkpoints.Torch;

/// <summary>One stored (uncompressed) entry of a ZIP archive: where its bytes start in the file.</summary>
public sealed record ZipEntry(string Name, long DataOffset, long Size, int Method);

/// <summary>
/// Reads the central directory of a ZIP (with ZIP64) as torch.save writes it. Sizes and offsets come
/// from the central directory, because torch's local headers use data descriptors (flag bit 3).
/// </summary>
public static class ZipDirectory
{
    public static Dictionary<string, ZipEntry> Read(MappedFile f, string what)
    {
        long len = f.Length;
        long eocd = -1;
        for (long p = len - 22; p >= Math.Max(0, len - 22 - 65535); p--)
            if (BinaryPrimitives.ReadUInt32LittleEndian(f.Span(p, 4)) == 0x06054b50) { eocd = p; break; }
        if (eocd < 0) throw new CheckpointFormatException($"{what}: no ZIP end-of-central-directory record (truncated zip?)");

        var e = f.Span(eocd, 22);
        long count = BinaryPrimitives.ReadUInt16LittleEndian(e[10..]);
        long cdSize = BinaryPrimitives.ReadUInt32LittleEndian(e[12..]);
        long cdOffset = BinaryPrimitives.ReadUInt32LittleEndian(e[16..]);
        if (count == 0xFFFF || cdSize == 0xFFFFFFFF || cdOffset == 0xFFFFFFFF)
        {
            long loc = eocd - 20;
            if (loc < 0 || BinaryPrimitives.ReadUInt32LittleEndian(f.Span(loc, 4)) != 0x07064b50)
                throw new CheckpointFormatException($"{what}: ZIP64 archive without a ZIP64 locator");
            long z = (long)BinaryPrimitives.ReadUInt64LittleEndian(f.Span(loc + 8, 8));
            var z64 = f.Span(z, 56);
            if (BinaryPrimitives.ReadUInt32LittleEndian(z64) != 0x06064b50)
                throw new CheckpointFormatException($"{what}: bad ZIP64 end-of-central-directory record");
            count = (long)BinaryPrimitives.ReadUInt64LittleEndian(z64[32..]);
            cdSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(z64[40..]);
            cdOffset = (long)BinaryPrimitives.ReadUInt64LittleEndian(z64[48..]);
        }

        var entries = new Dictionary<string, ZipEntry>(StringComparer.Ordinal);
        long p2 = cdOffset;
        f.Check(cdOffset, cdSize);
        for (long i = 0; i < count; i++)
        {
            var h = f.Span(p2, 46);
            if (BinaryPrimitives.ReadUInt32LittleEndian(h) != 0x02014b50)
                throw new CheckpointFormatException($"{what}: corrupt ZIP central directory at byte {p2}");
            int method = BinaryPrimitives.ReadUInt16LittleEndian(h[10..]);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(h[24..]);
            long compSize = BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            int nameLen = BinaryPrimitives.ReadUInt16LittleEndian(h[28..]);
            int extraLen = BinaryPrimitives.ReadUInt16LittleEndian(h[30..]);
            int commentLen = BinaryPrimitives.ReadUInt16LittleEndian(h[32..]);
            long local = BinaryPrimitives.ReadUInt32LittleEndian(h[42..]);
            string name = Encoding.UTF8.GetString(f.Span(p2 + 46, nameLen));
            // ZIP64 extra field: the 0xFFFFFFFF fields, in order: size, compressed size, local offset.
            var extra = f.Span(p2 + 46 + nameLen, extraLen);
            for (int x = 0; x + 4 <= extra.Length;)
            {
                int id = BinaryPrimitives.ReadUInt16LittleEndian(extra[x..]);
                int sz = BinaryPrimitives.ReadUInt16LittleEndian(extra[(x + 2)..]);
                if (id == 1)
                {
                    int q = x + 4;
                    if (size == 0xFFFFFFFF) { size = (long)BinaryPrimitives.ReadUInt64LittleEndian(extra[q..]); q += 8; }
                    if (compSize == 0xFFFFFFFF) { compSize = (long)BinaryPrimitives.ReadUInt64LittleEndian(extra[q..]); q += 8; }
                    if (local == 0xFFFFFFFF) { local = (long)BinaryPrimitives.ReadUInt64LittleEndian(extra[q..]); }
                }
                x += 4 + sz;
            }
            var lh = f.Span(local, 30);
            if (BinaryPrimitives.ReadUInt32LittleEndian(lh) != 0x04034b50)
                throw new CheckpointFormatException($"{what}: ZIP entry '{name}' has no local header at byte {local}");
            long data = local + 30 + BinaryPrimitives.ReadUInt16LittleEndian(lh[26..]) + BinaryPrimitives.ReadUInt16LittleEndian(lh[28..]);
            f.Check(data, compSize);
            entries[name] = new ZipEntry(name, data, size, method);
            p2 += 46 + nameLen + extraLen + commentLen;
        }
        return entries;
    }
}
