using JukeboxBridge.Errors;
using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Sampling.Jobs;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Tests;

/// <summary>Sampling jobs on the tiny random-weight bundle: modes, variations, streaming, the take store, cancel and resume.</summary>
[Collection("tiny bundle")]
public class SamplingJobTests(TinyBundle tiny)
{
    private ModelBundle Bundle => tiny.Bundle;

    internal static AudioClip Prompt() =>
        new(48000, new[] { ToneAnalysis.Sine(48000, 330, 0.4, 24000), ToneAnalysis.Sine(48000, 440, 0.4, 24000) });

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void Continuation_batches_variations_deterministically_and_streams_the_one_shot_decode()
    {
        var settings = new JobSettings { Seconds = 0.5, Variations = 2, Seed = 3, BlockSeconds = 0.1 };
        var blocks = new List<DecodedBlock>();
        var events = new List<JobProgress>();
        using var a = SamplingJob.Create(Bundle, settings, Prompt());
        var takeA = a.Run(new CallbackProgress<JobProgress>(events.Add), new CallbackProgress<DecodedBlock>(blocks.Add));
        long expected = (22050 + 22050) / 128 * 128;                              // prompt (0.5 s at 44.1k) + 0.5 s, in whole top-level codes
        Assert.Equal(2, takeA.Takes.Length);
        Assert.All(takeA.Takes, t => { Assert.Equal(44100, t.SampleRate); Assert.Equal(expected, t.Frames); });
        for (int l = 0; l < 3; l++) Assert.Equal(expected / Bundle.Vqvae.HopLengths[l], a.State.Codes[l].shape[1]);
        Assert.False(takeA.Takes[0].Channels[0].SequenceEqual(takeA.Takes[1].Channels[0]), "variations should differ");
        Assert.Equal(new[] { 0, 1, 2 }, events.Select(e => e.Level).Distinct().Order());
        var last = events[^1];
        Assert.Equal(last.JobTokensTotal, last.JobTokensDone);
        Assert.True(last.JobTokensTotal > 0 && events.All(e => e.TokensDone <= e.TokensTotal));

        // Blocks arrive in order, contiguous, and join into the one-shot decode of the final codes.
        Assert.True(blocks.Count > 3);
        Assert.Equal(Enumerable.Range(0, blocks.Count), blocks.Select(b => b.Seq));
        Assert.Equal(blocks.Select(b => b.SampleOffset), blocks.Select((b, i) => a.State.PromptSamples + blocks.Take(i).Sum(x => (long)x.Audio[0].Length)));
        Assert.Equal(expected, blocks[^1].SampleOffset + blocks[^1].Audio[0].Length);     // new audio only: prompt end to take end
        using (no_grad())
        {
            using var whole = Bundle.Vqvae.Decode(new[] { a.State.Codes[0] }, 0);
            for (int v = 0; v < 2; v++)
            {
                var oneShot = whole[v, .., 0].data<float>().ToArray();
                double maxDiff = takeA.Takes[v].Channels[0].Select((x, i) => Math.Abs(x - Math.Clamp(oneShot[i], -1f, 1f))).Max();
                Assert.True(maxDiff <= 1e-4, $"variation {v}: streamed take differs from one-shot decode by {maxDiff}");
            }
        }

        // Same seed, same take; level-by-level gives the same codes as the interleaved default.
        using var b = SamplingJob.Create(Bundle, settings with { Schedule = ScheduleKind.LevelByLevel }, Prompt());
        var takeB = b.Run();
        for (int l = 0; l < 3; l++) Assert.True(Same(a.State.Codes[l], b.State.Codes[l]), $"level {l} differs between schedules");
        Assert.True(takeA.Takes[1].Channels[0].SequenceEqual(takeB.Takes[1].Channels[0]), "same seed, same take");
    }

    [Fact]
    public void A_job_folder_holds_settings_codes_blocks_and_takes()
    {
        using var dir = new TempDir();
        var store = TakeStore.Create(Path.Combine(dir.Path, "job"));
        using var job = SamplingJob.Create(Bundle, new JobSettings { Seconds = 0.3, Variations = 2, Seed = 1, Model = "tiny", Prompt = "tones.wav" }, Prompt(), store: store);
        var result = job.Run();
        Assert.Equal(JobStatus.Done, store.ReadStatus()!.State);
        var settings = store.ReadSettings();
        Assert.Equal(new[] { 0.99, 0.99, 0.99 }, settings.Temperature);             // resolved from the bundle
        Assert.Equal("tones.wav", settings.Prompt);
        using (var codes = CodesFile.Load(store.CodesPath))
        {
            Assert.Equal(new[] { 0, 1, 2 }, codes.Levels.Keys.Order());
            for (int l = 0; l < 3; l++)
            {
                Assert.Equal(ScalarType.Int64, codes.Levels[l].dtype);
                Assert.True(Same(job.State.Codes[l], codes.Levels[l]));
            }
            Assert.Equal(Bundle.Vqvae.HopLengths, codes.HopLengths);
            Assert.Contains("\"seed\": 1", codes.Extra["jukebox.job.settings"]);
        }
        for (int v = 0; v < 2; v++)
        {
            var wav = WavReader.Read(store.TakeWav(v));
            Assert.Equal(result.Takes[v].Frames, wav.Frames);
            Assert.True(new FileInfo(store.TakePng(v)).Length > 1000);
        }
        int blocks = store.CountBlocks();
        Assert.True(blocks >= 1);
        var joined = Enumerable.Range(0, blocks).SelectMany(s => store.ReadBlock(s).Audio[1]).Select(x => Math.Clamp(x, -1f, 1f)).ToArray();
        Assert.Equal(result.Takes[1].Channels[0].AsSpan((int)job.State.PromptSamples).ToArray(), joined);
        Assert.Throws<IOException>(() => TakeStore.Create(store.Dir));                // a second job may not overwrite it
    }

    [Theory]
    [InlineData(2)]      // cancelled after a couple of windows
    [InlineData(7)]      // later, with level-0 blocks already written
    public void A_cancelled_job_resumes_to_the_uninterrupted_result(int cancelAfterWindows)
    {
        using var dir = new TempDir();
        var settings = new JobSettings { Seconds = 1.2, Variations = 2, Seed = 11, Model = "tiny", BlockSeconds = 0.25 };
        var whole = TakeStore.Create(Path.Combine(dir.Path, "whole"));
        using (var job = SamplingJob.Create(Bundle, settings, Prompt(), store: whole)) job.Run();

        var cut = TakeStore.Create(Path.Combine(dir.Path, "cut"));
        using var cts = new CancellationTokenSource();
        int windows = 0, stepsAfterCancel = 0;
        using (var job = SamplingJob.Create(Bundle, settings, Prompt(), store: cut))
        {
            int lastWindows = -1;
            Assert.ThrowsAny<OperationCanceledException>(() => job.Run(new CallbackProgress<JobProgress>(p =>
            {
                if (cts.IsCancellationRequested) stepsAfterCancel++;
                int total = job.State.WindowsDone.Sum();
                if (total != lastWindows) { lastWindows = total; windows = total; }
                if (windows >= cancelAfterWindows) cts.Cancel();
            }), cancel: cts.Token));
        }
        Assert.Equal(JobStatus.Cancelled, cut.ReadStatus()!.State);
        Assert.False(File.Exists(cut.TakeWav(0)));
        Assert.True(stepsAfterCancel <= 1, $"{stepsAfterCancel} progress events after cancelling");

        using (var resumed = SamplingJob.Resume(Bundle, cut))
        {
            Assert.True(resumed.State.WindowsDone.Sum() >= cancelAfterWindows);
            resumed.Run();
        }
        Assert.Equal(JobStatus.Done, cut.ReadStatus()!.State);
        using var a = CodesFile.Load(whole.CodesPath);
        using var b = CodesFile.Load(cut.CodesPath);
        for (int l = 0; l < 3; l++) Assert.True(Same(a.Levels[l], b.Levels[l]), $"level {l} codes differ after resume");
        for (int v = 0; v < 2; v++)
        {
            // The same samples, to the bit (the files differ only in their bext chunk: folder name and time written).
            Assert.Equal(WavReader.Read(whole.TakeWav(v)).Channels[0], WavReader.Read(cut.TakeWav(v)).Channels[0]);
            Assert.Equal(BextInfo.Find(File.ReadAllBytes(whole.TakeWav(v)))!.TimeReference, BextInfo.Find(File.ReadAllBytes(cut.TakeWav(v)))!.TimeReference);
        }
    }

    [Fact]
    public void Ancestral_upsample_and_continue_from_codes()
    {
        using var sample = SamplingJob.Create(Bundle, new JobSettings { Mode = JobMode.Sample, Seconds = 0.4, Variations = 1, Seed = 2 });
        var take = sample.Run();
        long len = (long)Math.Round(0.4 * 44100) / 128 * 128;
        Assert.Equal(len, take.Takes[0].Frames);
        Assert.Equal(0, sample.State.PromptSamples);

        using var dir = new TempDir();
        string codesPath = Path.Combine(dir.Path, "codes.safetensors");
        using (var f = sample.State.ToCodesFile("tiny", Bundle.Vqvae.HopLengths, 44100, "{}")) f.Save(codesPath);

        // Upsample: the top level is kept, the levels below are new except the kept first 0.1 s.
        using var codes = CodesFile.Load(codesPath);
        using var up = SamplingJob.Create(Bundle, new JobSettings { Mode = JobMode.Upsample, Seed = 9, KeepSeconds = 0.1 }, codes: codes);
        Assert.Empty(up.State.Plans[2]);
        up.Run();
        Assert.True(Same(sample.State.Codes[2], up.State.Codes[2]));
        long keep0 = (long)Math.Round(0.1 * 44100) / 128 * 128 / 8;
        Assert.True(Same(sample.State.Codes[0].narrow(1, 0, keep0), up.State.Codes[0].narrow(1, 0, keep0)));
        Assert.False(Same(sample.State.Codes[0], up.State.Codes[0]), "level 0 should be re-sampled after the kept part");
        Assert.Equal(sample.State.Codes[0].shape[1], up.State.Codes[0].shape[1]);

        // Re-sample only level 0 under the saved level 1.
        using var only0 = SamplingJob.Create(Bundle, new JobSettings { Mode = JobMode.Upsample, FromLevel = 0, Seed = 4 }, codes: codes);
        Assert.Empty(only0.State.Plans[1]);
        only0.Run();
        Assert.True(Same(sample.State.Codes[1], only0.State.Codes[1]));

        // Continue from saved codes: every level grows by the new seconds, the saved codes stay in front.
        using var more = SamplingJob.Create(Bundle, new JobSettings { Seconds = 0.3, Seed = 5 }, codes: codes);
        more.Run();
        for (int l = 0; l < 3; l++)
        {
            long before = sample.State.Codes[l].shape[1];
            Assert.Equal((len + (long)Math.Round(0.3 * 44100) / 128 * 128) / Bundle.Vqvae.HopLengths[l], more.State.Codes[l].shape[1]);
            Assert.True(Same(sample.State.Codes[l], more.State.Codes[l].narrow(1, 0, before)));
        }
    }

    [Fact]
    public void Cancelling_stops_a_prior_within_one_sampling_step()
    {
        using var cts = new CancellationTokenSource();
        int steps = 0;
        var o = new Model.Prior.SamplingOptions(0.99) { Cancel = cts.Token, OnToken = t => { steps++; if (t == 5) cts.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => Bundle.Priors[2].Sample(2, null, null, null, o));
        Assert.Equal(5, steps);
    }

    [Fact]
    public void Bad_requests_are_named()
    {
        var bad = Assert.Throws<UserInputException>(() => SamplingJob.Create(Bundle, new JobSettings { Variations = 0 }, Prompt()));
        Assert.Equal(("variations", "variations must be 1 to 64, got 0"), (bad.Field, bad.Message));
        Assert.Equal("top_p", Assert.Throws<UserInputException>(() => SamplingJob.Create(Bundle, new JobSettings { TopK = 5, TopP = 0.9 }, Prompt())).Field);
        Assert.Contains("seconds", Assert.Throws<UserInputException>(() => SamplingJob.Create(Bundle, new JobSettings { Seconds = 0 }, Prompt())).Message);
        Assert.Contains("prompt", Assert.Throws<UserInputException>(() => SamplingJob.Create(Bundle, new JobSettings())).Message);
        Assert.Contains("shorter than 128 samples", Assert.Throws<UserInputException>(() =>
            SamplingJob.Create(Bundle, new JobSettings(), AudioClip.Mono(44100, new float[100]))).Message);
        Assert.Contains("temperature", Assert.Throws<UserInputException>(() =>
            SamplingJob.Create(Bundle, new JobSettings { Temperature = [0.9, 0.9] }, Prompt())).Message);
        using var codes = new CodesFile(new Dictionary<int, Tensor> { [2] = zeros(new long[] { 1, 4 }, ScalarType.Int64) }, "x", [8, 32, 64], 44100, null);
        Assert.Contains("hops", Assert.Throws<UserInputException>(() =>
            SamplingJob.Create(Bundle, new JobSettings { Mode = JobMode.Upsample }, codes: codes)).Message);
        using var dir = new TempDir();
        Assert.Contains("not a job folder", Assert.Throws<FileNotFoundException>(() => TakeStore.Open(dir.Path)).Message);
    }
}

/// <summary>The tiny random-weight bundle, loaded once for the tests that share it.</summary>
public sealed class TinyBundle : IDisposable
{
    public ModelBundle Bundle { get; } = ModelBundle.Load("tiny");
    public void Dispose() => Bundle.Dispose();
}

[CollectionDefinition("tiny bundle")]
public sealed class TinyBundleCollection : ICollectionFixture<TinyBundle>;
