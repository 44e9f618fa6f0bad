using JukeboxBridge.Errors;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Sampling.Jobs;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Tests;

/// <summary>Preview jobs (top level only, audio from the top-level decoder) and the upsample of a chosen variation.</summary>
[Collection("tiny bundle")]
public class PreviewJobTests(TinyBundle tiny)
{
    private ModelBundle Bundle => tiny.Bundle;
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    private static JobSettings PreviewSettings => new() { Seconds = 0.6, Variations = 3, Seed = 5, Model = "tiny", BlockSeconds = 0.1, Quality = JobQuality.Preview };

    [Fact]
    public void A_preview_samples_only_the_top_level_and_streams_its_decode()
    {
        var blocks = new List<DecodedBlock>();
        var levels = new HashSet<int>();
        using var job = SamplingJob.Create(Bundle, PreviewSettings, SamplingJobTests.Prompt());
        var result = job.Run(new CallbackProgress<JobProgress>(p => { if (p.TokensTotal > 0) levels.Add(p.Level); }), new CallbackProgress<DecodedBlock>(blocks.Add));
        long prompt = job.State.PromptSamples, total = job.State.TotalSamples;
        var hops = Bundle.Vqvae.HopLengths;

        Assert.Equal(new[] { 2 }, levels.Order());                                   // only the top level had work
        Assert.Equal(total / hops[2], job.State.Codes[2].shape[1]);
        for (int l = 0; l < 2; l++)
        {
            Assert.Empty(job.State.Plans[l]);
            Assert.Equal(prompt / hops[l], job.State.Codes[l].shape[1]);            // the prompt's own codes, untouched
        }
        Assert.Equal(3, result.Takes.Length);
        Assert.All(result.Takes, t => Assert.Equal(total, t.Frames));

        // The streamed blocks are the top-level decoder's one-shot decode of the new audio.
        Assert.True(blocks.Count >= 3);
        Assert.Equal(prompt, blocks[0].SampleOffset);
        Assert.Equal(total, blocks[^1].SampleOffset + blocks[^1].Audio[0].Length);
        using (no_grad())
        {
            using var whole = Bundle.Vqvae.DecodeLevel(job.State.Codes[2], 2);
            for (int v = 0; v < 3; v++)
            {
                var oneShot = whole[v, .., 0].data<float>().ToArray();
                double diff = result.Takes[v].Channels[0].Select((x, i) => Math.Abs(x - Math.Clamp(oneShot[i], -1f, 1f))).Max();
                Assert.True(diff <= 1e-4, $"variation {v}: preview take differs from the level-2 decode by {diff}");
            }
        }
    }

    [Fact]
    public void The_chosen_variation_of_a_preview_upsamples_under_its_own_top_level_codes()
    {
        using var dir = new TempDir();
        var previewStore = TakeStore.Create(Path.Combine(dir.Path, "preview"));
        using (var preview = SamplingJob.Create(Bundle, PreviewSettings with { Artist = null }, SamplingJobTests.Prompt(), store: previewStore)) preview.Run();
        var parent = previewStore.ReadSettings();
        Assert.Equal(JobQuality.Preview, parent.Quality);

        using var codes = previewStore.ReadCodes();
        var settings = JobSettings.UpsampleOf(parent, codes.PromptSeconds, previewStore.Dir, variation: 1);
        Assert.Equal(1, settings.Variations);
        Assert.Equal(parent.Temperature, settings.Temperature);
        var upStore = TakeStore.Create(Path.Combine(dir.Path, "up"));
        using var up = SamplingJob.Create(Bundle, settings, codes: codes, store: upStore);
        var take = up.Run();
        var hops = Bundle.Vqvae.HopLengths;
        long prompt = up.State.PromptSamples, total = up.State.TotalSamples;

        Assert.Equal((long)Math.Round(codes.PromptSeconds * 44100), prompt);       // the preview's prompt kept
        Assert.Equal(codes.Levels[2].shape[1] * hops[2], total);
        Assert.True(Same(up.State.Codes[2], codes.Levels[2].narrow(0, 1, 1)), "the top level is the chosen variation's");
        for (int l = 0; l < 2; l++)
        {
            Assert.Equal(total / hops[l], up.State.Codes[l].shape[1]);                // upsampled to the end
            Assert.True(Same(up.State.Codes[l].narrow(1, 0, prompt / hops[l]), codes.Levels[l].narrow(0, 1, 1)), $"level {l}: the prompt's codes kept");
        }
        Assert.Single(take.Takes);
        Assert.Equal(total, take.Takes[0].Frames);
        var saved = upStore.ReadSettings();
        Assert.Equal((JobMode.Upsample, JobQuality.Full, 1, previewStore.Dir), (saved.Mode, saved.Quality, saved.Variation!.Value, saved.Parent));

        // A variation the preview does not have, and a preview upsample, are the user's errors, named.
        Assert.Equal("variation", Assert.Throws<UserInputException>(() =>
            SamplingJob.Create(Bundle, JobSettings.UpsampleOf(parent, codes.PromptSeconds, "p", 3), codes: codes)).Field);
        Assert.Equal("quality", Assert.Throws<UserInputException>(() =>
            SamplingJob.Create(Bundle, settings with { Quality = JobQuality.Preview }, codes: codes)).Field);
    }

    [Fact]
    public void A_cancelled_preview_resumes_to_the_uninterrupted_result()
    {
        using var dir = new TempDir();
        var whole = TakeStore.Create(Path.Combine(dir.Path, "whole"));
        var settings = PreviewSettings with { Seconds = 1.5 };
        using (var job = SamplingJob.Create(Bundle, settings, SamplingJobTests.Prompt(), store: whole)) job.Run();

        var cut = TakeStore.Create(Path.Combine(dir.Path, "cut"));
        using var cts = new CancellationTokenSource();
        using (var job = SamplingJob.Create(Bundle, settings, SamplingJobTests.Prompt(), store: cut))
            Assert.ThrowsAny<OperationCanceledException>(() => job.Run(new CallbackProgress<JobProgress>(_ =>
            {
                if (job.State.WindowsDone[2] >= 1) cts.Cancel();
            }), cancel: cts.Token));
        Assert.Equal(JobStatus.Cancelled, cut.ReadStatus()!.State);
        using (var resumed = SamplingJob.Resume(Bundle, cut)) resumed.Run();
        using var a = CodesFile.Load(whole.CodesPath);
        using var b = CodesFile.Load(cut.CodesPath);
        for (int l = 0; l < 3; l++) Assert.True(Same(a.Levels[l], b.Levels[l]), $"level {l} differs after resume");
        for (int v = 0; v < 3; v++) Assert.Equal(JukeboxBridge.Audio.Wav.WavReader.Read(whole.TakeWav(v)).Channels[0], JukeboxBridge.Audio.Wav.WavReader.Read(cut.TakeWav(v)).Channels[0]);
    }
}
