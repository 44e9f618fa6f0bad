using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling;

/// <summary>One streamed block of decoded audio: its sequence number, where it starts in the take, and the samples (variations, samples).</summary>
public sealed record DecodedBlock(int Seq, long SampleOffset, float[][] Audio, int SampleRate);

/// <summary>
/// Decodes a growing code sequence into audio blocks as soon as each block's codes and enough codes after it exist.
/// Each block is decoded with the decoder's receptive field of code context on both sides, so the concatenated blocks
/// equal the one-shot decode of the whole sequence (up to float rounding). Codes already pushed must never change.
/// </summary>
public sealed class BlockDecoder
{
    private readonly VQVAE _vq;
    private readonly int _level;
    private readonly long _blockFrames, _margin;
    private long _next;
    private int _seq;

    /// <param name="blockSeconds">Audio per block (rounded to whole codes).</param>
    /// <param name="startFrame">Code where block 0 starts (e.g. the end of the prompt: only new audio is streamed).</param>
    /// <param name="startSeq">Blocks already delivered (a resumed job): decoding goes on after them.</param>
    public BlockDecoder(VQVAE vq, double blockSeconds, int level = 0, long startFrame = 0, int startSeq = 0)
    {
        _vq = vq; _level = level;
        int hop = vq.HopLengths[level];
        _blockFrames = Math.Max(1, (long)(blockSeconds * vq.Options.SampleRate / hop));
        _margin = ReceptiveField.DecoderFrames(vq.Options, level);
        _seq = startSeq;
        _next = startFrame + startSeq * _blockFrames;
    }

    public long BlockFrames => _blockFrames;
    /// <summary>Codes after a block that must exist before it is decoded.</summary>
    public long LookaheadFrames => _margin;

    /// <summary>
    /// Offers the codes so far (variations, frames). Returns the blocks that can now be decoded exactly; with
    /// <paramref name="final"/> the rest, up to the end.
    /// </summary>
    public List<DecodedBlock> Push(Tensor codes, bool final = false)
    {
        var blocks = new List<DecodedBlock>();
        long have = codes.shape[1];
        using var noGrad = no_grad();
        while (_next < have && (final || _next + _blockFrames + _margin <= have))
        {
            long s = _next, e = Math.Min(have, s + _blockFrames);
            if (!final && e + _margin > have) break;
            var rows = DecodeRange(codes, s, e);
            blocks.Add(new DecodedBlock(_seq++, s * _vq.HopLengths[_level], rows, _vq.Options.SampleRate));
            _next = e;
        }
        return blocks;
    }

    /// <summary>
    /// Audio of codes [<paramref name="start"/>, <paramref name="end"/>) per row, decoded with the receptive field of
    /// context on both sides (as far as it exists), so it joins seamlessly with the blocks around it.
    /// </summary>
    public float[][] DecodeRange(Tensor codes, long start, long end)
    {
        long have = codes.shape[1];
        long a = Math.Max(0, start - _margin), b = Math.Min(have, end + _margin);
        using var noGrad = no_grad();
        using var quiet = JukeboxBridge.Model.GcQuiet.Begin(64L << 20);
        int hop = _vq.HopLengths[_level];
        var rows = new float[codes.shape[0]][];
        // Rows in groups: the decoder's activations grow with rows × length (30 rows of a 6 s prompt took over 20 GB at once).
        for (long r0 = 0; r0 < rows.Length; r0 += RowsPerDecode)
        {
            using var scope = NewDisposeScope();
            long nr = Math.Min(RowsPerDecode, rows.Length - r0);
            var piece = codes.narrow(0, r0, nr).narrow(1, a, b - a).to(_vq.parameters().First().device);
            var audio = _vq.DecodeLevel(piece, _level);                              // (nr, (b-a)*hop, 1)
            var kept = audio.narrow(1, (start - a) * hop, (end - start) * hop).squeeze(-1).to(ScalarType.Float32).cpu().contiguous();
            for (int i = 0; i < nr; i++) rows[r0 + i] = kept[i].data<float>().ToArray();
        }
        return rows;
    }

    /// <summary>Rows decoded together (at most): bounds the decoder's memory for many variations.</summary>
    public const int RowsPerDecode = 8;
}
