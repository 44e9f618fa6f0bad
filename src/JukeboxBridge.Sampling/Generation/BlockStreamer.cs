using JukeboxBridge.Sampling.Devices;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Sampling.Generation;

/// <summary>
/// Streams the new audio of a job (the caller has the prompt) as blocks of its output level (0, or the top level for
/// a preview) become decodable: each block is
/// decoded once its codes and the decoder's look-ahead exist, written to the job folder (when there is one) before it
/// is reported to the sink, and kept for the takes. A resumed job goes on after the blocks its folder holds.
/// </summary>
internal sealed class BlockStreamer
{
    private readonly ModelBundle _bundle;
    private readonly JobState _state;
    private readonly TakeStore? _store;
    private readonly ModelResidency _residency;
    private readonly IProgress<DecodedBlock>? _sink;
    private readonly BlockDecoder _decoder;
    private readonly List<DecodedBlock> _streamed = new();

    public BlockStreamer(ModelBundle bundle, JobState state, int level, double blockSeconds, TakeStore? store, ModelResidency residency, IProgress<DecodedBlock>? sink)
    {
        _bundle = bundle; _state = state; _store = store; _residency = residency; _sink = sink; Level = level;
        StartSeq = store?.CountBlocks() ?? 0;
        PromptFrames = state.PromptSamples / bundle.Vqvae.HopLengths[level];
        _decoder = new BlockDecoder(bundle.Vqvae, blockSeconds, level, PromptFrames, StartSeq);
    }

    /// <summary>The level the audio is decoded from.</summary>
    public int Level { get; }
    /// <summary>Blocks earlier runs of the job delivered.</summary>
    public int StartSeq { get; }
    /// <summary>Codes of the prompt at the output level (blocks start after them).</summary>
    public long PromptFrames { get; }
    /// <summary>The blocks this run decoded, in order.</summary>
    public IReadOnlyList<DecodedBlock> Streamed => _streamed;

    /// <summary>Decodes what can be decoded now; after the output level's last window, everything left.</summary>
    public void Emit()
    {
        bool final = _state.WindowsDone[Level] >= _state.Plans[Level].Count;
        long needed = PromptFrames + _decoder.BlockFrames * (_streamed.Count + StartSeq + 1) + _decoder.LookaheadFrames;
        if (!final && _state.Codes[Level].shape[1] < needed) return;
        _residency.Use(_bundle.Vqvae);
        foreach (var b in _decoder.Push(_state.Codes[Level], final))
        {
            _store?.WriteBlock(b);
            _streamed.Add(b);
            _sink?.Report(b);
        }
    }

    /// <summary>The prompt decoded from its codes at the output level (null when the job has none).</summary>
    public float[][]? DecodePrompt()
    {
        if (PromptFrames == 0) return null;
        _residency.Use(_bundle.Vqvae);
        return _decoder.DecodeRange(_state.Codes[Level], 0, PromptFrames);
    }
}
