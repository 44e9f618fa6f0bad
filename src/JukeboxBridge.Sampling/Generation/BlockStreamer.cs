using JukeboxBridge.Sampling.Devices;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Sampling.Generation;

/// <summary>
/// Streams the new audio of a job (the caller has the prompt) as level-0 blocks become decodable: each block is
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

    public BlockStreamer(ModelBundle bundle, JobState state, double blockSeconds, TakeStore? store, ModelResidency residency, IProgress<DecodedBlock>? sink)
    {
        _bundle = bundle; _state = state; _store = store; _residency = residency; _sink = sink;
        StartSeq = store?.CountBlocks() ?? 0;
        PromptFrames = state.PromptSamples / bundle.Vqvae.HopLengths[0];
        _decoder = new BlockDecoder(bundle.Vqvae, blockSeconds, 0, PromptFrames, StartSeq);
    }

    /// <summary>Blocks earlier runs of the job delivered.</summary>
    public int StartSeq { get; }
    /// <summary>Level-0 codes of the prompt (blocks start after them).</summary>
    public long PromptFrames { get; }
    /// <summary>The blocks this run decoded, in order.</summary>
    public IReadOnlyList<DecodedBlock> Streamed => _streamed;

    /// <summary>Decodes what can be decoded now; after level 0's last window, everything left.</summary>
    public void Emit()
    {
        bool final = _state.WindowsDone[0] >= _state.Plans[0].Count;
        long needed = PromptFrames + _decoder.BlockFrames * (_streamed.Count + StartSeq + 1) + _decoder.LookaheadFrames;
        if (!final && _state.Codes[0].shape[1] < needed) return;
        _residency.Use(_bundle.Vqvae);
        foreach (var b in _decoder.Push(_state.Codes[0], final))
        {
            _store?.WriteBlock(b);
            _streamed.Add(b);
            _sink?.Report(b);
        }
    }

    /// <summary>The prompt decoded from its level-0 codes (null when the job has none).</summary>
    public float[][]? DecodePrompt()
    {
        if (PromptFrames == 0) return null;
        _residency.Use(_bundle.Vqvae);
        return _decoder.DecodeRange(_state.Codes[0], 0, PromptFrames);
    }
}
