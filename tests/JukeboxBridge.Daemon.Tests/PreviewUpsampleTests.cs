using JukeboxBridge.Daemon.Client;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.Protocol;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.Sampling.Jobs;
using JukeboxBridge.TestSupport;
using static JukeboxBridge.Daemon.Tests.DaemonTestKit;

namespace JukeboxBridge.Daemon.Tests;

/// <summary>A preview job over the wire (blocks marked preview, top level only), then the upsample of one of its variations.</summary>
[Collection("daemon")]
public class PreviewUpsampleTests
{
    private static byte[] Pcm(int frames)
    {
        var b = new byte[frames * 4];
        var x = new float[frames];
        for (int i = 0; i < frames; i++) x[i] = 0.3f * MathF.Sin(2 * MathF.PI * 330 * i / 44100f);
        Buffer.BlockCopy(x, 0, b, 0, b.Length);
        return b;
    }

    private static bool Same(TorchSharp.torch.Tensor x, TorchSharp.torch.Tensor y) => x.shape.SequenceEqual(y.shape) && x.eq(y).all().item<bool>();

    /// <summary>Every message until take_done or an error, with credit for everything.</summary>
    private static List<Message> Drain(DaemonClient c, string job)
    {
        c.Send(new Credit(job, 10_000));
        var got = new List<Message>();
        var deadline = DateTime.UtcNow.AddSeconds(180);
        while (DateTime.UtcNow < deadline)
        {
            if (c.Receive(TimeSpan.FromSeconds(1)) is not { } m) continue;
            got.Add(m);
            if (m is TakeDone or Error) break;
        }
        return got;
    }

    [Fact]
    public void A_preview_streams_marked_blocks_and_its_chosen_variation_upsamples_at_full_quality()
    {
        using var dir = new TempDir();
        using var daemon = new JukeboxDaemon(Options(dir));
        daemon.Start();
        using var c = new DaemonClient(daemon.LocalClient, curve: false);
        c.Handshake();

        c.Send(new Submit(1, "continue", new SubmitSettings { Seconds = 0.6, Variations = 3, Seed = 4, Quality = "preview", TimelineSeconds = 1.0 },
            Prompt: new PcmFormat(44100, 1, 22050), PromptPcm: Pcm(22050)));
        var preview = c.Expect<Accepted>();
        Assert.Equal(3, preview.Variations);
        var got = Drain(c, preview.Job);
        Assert.IsType<TakeDone>(got[^1]);
        var blocks = got.OfType<Block>().ToList();
        Assert.NotEmpty(blocks);
        Assert.All(blocks, b => Assert.True(b.Preview, "preview blocks are marked"));
        Assert.Equal(new long[] { 0, 1, 2 }, blocks.Select(b => b.Variation).Distinct().Order());
        Assert.Contains(got.OfType<Progress>(), p => p.Level == 2 && p.WindowsTotal > 0);
        Assert.All(got.OfType<Progress>().Where(p => p.Level < 2), p => Assert.Equal(0, p.WindowsTotal));   // no window below the top

        // A variation the preview lacks is refused at submit, naming the field.
        c.Send(new Submit(2, "upsample", new SubmitSettings { Variation = 3 }, Job: preview.Job));
        var refused = c.Expect<Error>();
        Assert.Equal(ErrorCodes.BadSettings, refused.Code);
        Assert.Contains("settings.variation", refused.Text);

        c.Send(new Submit(3, "upsample", new SubmitSettings { Variation = 2 }, Job: preview.Job));
        var up = c.Expect<Accepted>();
        Assert.Equal(1, up.Variations);
        Assert.Equal(preview.PromptSamples, up.PromptSamples);                     // the preview's prompt is kept
        var upGot = Drain(c, up.Job);
        Assert.IsType<TakeDone>(upGot[^1]);
        var upBlocks = upGot.OfType<Block>().ToList();
        Assert.All(upBlocks, b => { Assert.False(b.Preview); Assert.Equal(0, b.Variation); });
        Assert.Equal(blocks.Where(b => b.Variation == 2).Sum(b => b.Format.Frames), upBlocks.Sum(b => b.Format.Frames));   // same take length
        Assert.Equal(blocks.Min(b => b.Offset), upBlocks.Min(b => b.Offset));                                              // starts at the prompt's end

        // The upsample ran under the chosen variation's top-level codes and kept the preview's prompt codes.
        var previewDir = Directory.GetDirectories(Path.Combine(dir.Path, "jobs"), preview.Job, SearchOption.AllDirectories).Single();
        var upDir = Directory.GetDirectories(Path.Combine(dir.Path, "jobs"), up.Job, SearchOption.AllDirectories).Single();
        using var a = CodesFile.Load(Path.Combine(previewDir, "codes.safetensors"));
        using var b = CodesFile.Load(Path.Combine(upDir, "codes.safetensors"));
        Assert.True(Same(a.Levels[2].narrow(0, 2, 1), b.Levels[2]), "the top level is variation 3's");
        long promptL0 = a.Levels[0].shape[1];
        Assert.True(b.Levels[0].shape[1] > promptL0);
        Assert.True(Same(a.Levels[0].narrow(0, 2, 1), b.Levels[0].narrow(1, 0, promptL0)), "the prompt's level-0 codes are kept");
        Assert.Equal(44100, JukeboxBridge.Audio.Wav.BextInfo.Find(File.ReadAllBytes(Path.Combine(upDir, "take-1.wav")))!.TimeReference);   // the client's timeline, inherited
        var settings = TakeStore.Open(upDir).ReadSettings();
        Assert.Equal((JobMode.Upsample, 2, preview.Job), (settings.Mode, settings.Variation!.Value, settings.Parent));
    }
}
