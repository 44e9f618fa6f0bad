using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace JukeboxBridge.Model.Vqvae;

/// <summary>
/// Jukebox's hierarchical VQ-VAE: per level an encoder (from raw audio), a codebook and a decoder,
/// named as in the reference so released checkpoints load by name. Audio is (N, T, 1) float32 at
/// <see cref="VqvaeOptions.SampleRate"/>, T a multiple of the top hop; codes are (N, T/hop_L) int64.
/// </summary>
public sealed class VQVAE : nn.Module
{
    private readonly ModuleList<Encoder> encoders;
    private readonly ModuleList<Decoder> decoders;
    private readonly Bottleneck bottleneck;

    public VqvaeOptions Options { get; }
    public int Levels => Options.Levels;
    public int[] HopLengths { get; }

    public VQVAE(VqvaeOptions options) : base(nameof(VQVAE))
    {
        Options = options.Validate();
        HopLengths = options.HopLengths;
        encoders = new ModuleList<Encoder>();
        decoders = new ModuleList<Decoder>();
        for (int l = 0; l < options.Levels; l++)
        {
            var stack = StackOptions(l);
            encoders.Add(new Encoder(l, options, stack));
            decoders.Add(new Decoder(l, options, stack));
        }
        bottleneck = new Bottleneck(options.Levels, options.LBins, options.EmbWidth);
        RegisterComponents();
    }

    /// <summary>Width and depth of encoder/decoder L carry that level's multiplier.</summary>
    public ResStackOptions StackOptions(int level) => new(
        Options.Width * Options.Multipliers[level], Options.Depth * Options.Multipliers[level], Options.MConv,
        Options.DilationGrowthRate, Options.DilationCycle, Options.ResScale, Options.ReverseDecoderDilation);

    public Encoder EncoderOf(int level) => encoders[level];
    public Decoder DecoderOf(int level) => decoders[level];
    public BottleneckBlock CodebookOf(int level) => bottleneck.level_blocks[level];

    /// <summary>(N, T, 1) or (N, T) audio -> (N, 1, T) for the convolutions.</summary>
    public Tensor Preprocess(Tensor audio)
    {
        if (audio.dim() == 2) audio = audio.unsqueeze(-1);
        if (audio.dim() != 3 || audio.shape[2] != 1)
            throw new ArgumentException($"audio must be (batch, samples, 1) mono; got [{string.Join(", ", audio.shape)}]");
        if (audio.shape[1] % Options.LengthMultiple != 0)
            throw new ArgumentException($"audio length {audio.shape[1]} is not a multiple of {Options.LengthMultiple} samples (the top level's hop)");
        return audio.permute(0, 2, 1).to_type(ScalarType.Float32);
    }

    /// <summary>
    /// Codes for levels [startLevel, endLevel). Only the needed encoders run (each level's encoder reads
    /// the raw audio, so this equals the reference's encode-all-then-slice). Long inputs are encoded in
    /// time chunks of <paramref name="chunkSamples"/> with enough overlap that the result is exact.
    /// </summary>
    public Tensor[] Encode(Tensor audio, int startLevel = 0, int? endLevel = null, long? chunkSamples = null, int batchChunk = 0)
    {
        int end = endLevel ?? Levels;
        CheckLevels(startLevel, end);
        using var noGrad = no_grad();
        var result = new Tensor[end - startLevel];
        for (int l = startLevel; l < end; l++)
            result[l - startLevel] = Chunking.OverBatch(audio, batchChunk, a => Chunking.EncodeOverTime(this, a, l, chunkSamples));
        return result;
    }

    /// <summary>Codes of one level for audio already in the model's (N, T, 1) layout, whole (no chunking).</summary>
    public Tensor EncodeLevel(Tensor audio, int level)
    {
        using var scope = NewDisposeScope();
        var x = Preprocess(audio);
        var z = encoders[level].forward(x);                      // (N, emb, T/hop_L)
        return bottleneck.level_blocks[level].forward(z).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Audio (N, T, 1) from the codes of <paramref name="startLevel"/>: as in the reference only the
    /// first given level is decoded (decode(zs[L:], L) = "reconstruct from level L").
    /// </summary>
    public Tensor Decode(IReadOnlyList<Tensor> codes, int startLevel = 0, int? endLevel = null, long? chunkFrames = null, int batchChunk = 0)
    {
        int end = endLevel ?? Levels;
        CheckLevels(startLevel, end);
        if (codes.Count < 1) throw new ArgumentException("no codes to decode");
        using var noGrad = no_grad();
        return Chunking.OverBatch(codes[0], batchChunk, c => Chunking.DecodeOverTime(this, c, startLevel, chunkFrames));
    }

    /// <summary>Decodes one level's codes whole: (N, T_L) -> (N, T, 1).</summary>
    public Tensor DecodeLevel(Tensor codes, int level)
    {
        using var scope = NewDisposeScope();
        if (codes.dim() != 2) throw new ArgumentException($"codes must be (batch, tokens); got [{string.Join(", ", codes.shape)}]");
        var q = bottleneck.level_blocks[level].Dequantise(codes.to_type(ScalarType.Int64));
        var y = decoders[level].forward(q);                      // (N, 1, T)
        return y.permute(0, 2, 1).contiguous().MoveToOuterDisposeScope();
    }

    private void CheckLevels(int start, int end)
    {
        if (start < 0 || end > Levels || start >= end)
            throw new ArgumentOutOfRangeException(nameof(start), $"levels [{start}, {end}) outside 0..{Levels}");
    }
}
