using System.IO.MemoryMappedFiles;

namespace JukeboxBridge.Checkpoints;

/// <summary>
/// A read-only memory map of a whole file. Tensor bytes are read straight from the map, so a 10 GB
/// checkpoint costs address space, not RAM. Disposing unmaps; spans handed out must not outlive it.
/// </summary>
public sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _ptr;

    public string Path { get; }
    public long Length { get; }

    public MappedFile(string path)
    {
        Path = path;
        Length = new FileInfo(path).Length;
        if (Length == 0) return; // an empty file cannot be mapped; readers report it as truncated
        _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _ptr);
        _ptr += _view.PointerOffset;
    }

    /// <summary>Bytes [offset, offset+length) of the file. Throws a format error past the end.</summary>
    public ReadOnlySpan<byte> Span(long offset, long length)
    {
        Check(offset, length);
        if (length > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(length), "span over 2 GiB; read in chunks");
        return new ReadOnlySpan<byte>(_ptr + offset, (int)length);
    }

    public void Check(long offset, long length)
    {
        ObjectDisposedException.ThrowIf(_ptr == null && Length > 0, this);
        if (offset < 0 || length < 0 || offset > Length || length > Length - offset)
            throw new CheckpointFormatException(
                $"{System.IO.Path.GetFileName(Path)}: truncated: needs bytes {offset}..{offset + length} but the file has {Length}");
    }

    public void Dispose()
    {
        if (_view != null && _ptr != null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _ptr = null;
        }
        _view?.Dispose();
        _map?.Dispose();
    }
}
