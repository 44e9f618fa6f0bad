using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Sampling.Tests;

public class ContinuationTests
{
    private static AudioClip Prompt() =>
        new(48000, new[] { ToneAnalysis.Sine(48000, 330, 0.4, 24000), ToneAnalysis.Sine(48000, 440, 0.4, 24000) });

    [Fact]
    public void Tiny_bundle_continues_a_clip_with_batched_variations_deterministically()
    {
        using var bundle = ModelBundle.Load("tiny");
        Assert.Equal(3, bundle.Priors.Length);
        var req = new ContinuationRequest(Seconds: 0.5, Variations: 2, Seed: 3);
        var reports = new List<ContinuationProgress>();
        using var a = Continuation.Run(bundle, Prompt(), req, new Progress(reports.Add));
        Assert.Equal(2, a.Takes.Length);
        long expected = (22050 + 22050) / 128 * 128;                  // prompt (0.5 s at 44.1k) + 0.5 s, floored to 128
        Assert.All(a.Takes, t => { Assert.Equal(44100, t.SampleRate); Assert.InRange(t.Frames, expected - 128, expected); });
        Assert.Equal(new[] { 0, 1, 2 }, reports.Select(r => r.Level).Distinct().OrderBy(l => l));
        Assert.All(a.Codes.Select((c, l) => (c, l)), p => Assert.Equal(expected / bundle.Vqvae.HopLengths[p.l], p.c.shape[1]));
        Assert.False(a.Takes[0].Channels[0].SequenceEqual(a.Takes[1].Channels[0]), "variations should differ");

        using var b = Continuation.Run(bundle, Prompt(), req);
        Assert.True(a.Takes[0].Channels[0].SequenceEqual(b.Takes[0].Channels[0]), "same seed, same take");
    }

    [Fact]
    public void Streamed_blocks_make_the_same_take_as_one_shot_decoding()
    {
        using var bundle = ModelBundle.Load("tiny");
        var req = new ContinuationRequest(Seconds: 0.6, Variations: 1, Seed: 8) { BlockSeconds = 0.1 };
        var blocks = new List<DecodedBlock>();
        using var streamed = Continuation.Run(bundle, Prompt(), req, blocks: new BlockProgress(blocks.Add));
        using var whole = Continuation.Run(bundle, Prompt(), req with { Schedule = ScheduleKind.LevelByLevel });
        Assert.True(blocks.Count > 3);
        Assert.Equal(whole.Takes[0].Frames, streamed.Takes[0].Frames);
        double maxDiff = whole.Takes[0].Channels[0].Zip(streamed.Takes[0].Channels[0], (a, b) => Math.Abs(a - b)).Max();
        Assert.True(maxDiff <= 1e-4, $"streamed take differs by {maxDiff}");
    }

    private sealed class BlockProgress(Action<DecodedBlock> f) : IProgress<DecodedBlock>
    {
        public void Report(DecodedBlock value) => f(value);
    }

    [Fact]
    public void Bad_requests_and_models_are_named()
    {
        Assert.Contains("neither a model folder nor a bundle preset", Assert.Throws<FileNotFoundException>(() => ModelBundle.Load("no-such-bundle")).Message);
        using var dir = new TempDir();
        Assert.Contains("prior_level_2.pth.tar", Assert.Throws<FileNotFoundException>(() => ModelBundle.Load(dir.Path)).Message);
        using var bundle = ModelBundle.Load("tiny");
        Assert.Throws<ArgumentException>(() => Continuation.Run(bundle, Prompt(), new ContinuationRequest(Seconds: 0)));
    }

    private sealed class Progress(Action<ContinuationProgress> f) : IProgress<ContinuationProgress>
    {
        public void Report(ContinuationProgress value) => f(value);
    }
}
