using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Tests;
using JukeboxBridge.Sampling.Jobs;
using JukeboxBridge.Sampling.Lyrics;
using JukeboxBridge.TestSupport;
using NAudio.Midi;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Tests;

/// <summary>
/// The small lyrics models of the lyric_alignment fixtures, aligned the way a job does it: lyrics-K.mid holds one lyric
/// event per word at the code where the word's attention peaks (at 120 BPM), alignment-K.png is a picture of the matrix.
/// </summary>
public class AlignmentWriterTests
{
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", "lyric_alignment");

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_lyrics_job_writes_a_midi_lyric_per_word_and_a_picture(string name)
    {
        var c = FixtureCases.Get("prior", "lyric_alignment", name);
        var h = c.Json.GetProperty("hparams");
        var o = PriorFixtureOptions.From(h, h.GetProperty("vqvae")) with
        {
            AlignmentLayer = c.Json.GetProperty("alignment_layer").GetInt32(), AlignmentHead = c.Json.GetProperty("alignment_head").GetInt32(),
        };
        using var f = CheckpointFile.Open(c.TensorPath);
        using var prior = new SimplePrior(o);
        Assert.True(StateDictLoader.Load(prior, StateDictLoader.WithPrefix(f, "weight/"), strict: true, name).Ok);
        prior.eval();
        Assert.True(AlignmentWriter.CanAlign(o));
        using var scope = NewDisposeScope();
        int batch = c.Json.GetProperty("batch").GetInt32();
        var z = f["input/z"].ToTorch(ScalarType.Int64);
        var lyrics = Enumerable.Range(0, batch).Select(i => f[$"input/full_tokens_item_{i}"].ToTorch(ScalarType.Int64).data<long>().ToArray()).ToList();
        var state = new JobState([z, z, z], 0, 0, [[], [], []], [0, 0, 0], [0, 0, 0],
                                 [null, null, f["input/labels_y"].ToTorch(ScalarType.Int64)], [null, null, lyrics]);
        using var dir = new TempDir();
        var files = AlignmentWriter.Write(prior, state, c.Json.GetProperty("hop_fraction").GetDouble(), dir.Path, 44100);
        Assert.Equal(2 * batch, files.Count);

        var want = LyricAlignment.Compute(prior, z, state.Labels[2]!, lyrics, o.AlignmentLayer!.Value, o.AlignmentHead!.Value, c.Json.GetProperty("hop_fraction").GetDouble());
        double secondsPerCode = o.RawToTokens / 44100.0;
        for (int i = 0; i < batch; i++)
        {
            string text = c.Json.GetProperty("items")[i].GetProperty("lyrics_cleaned").GetString()!;
            var expectedWords = text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries);
            var midi = new MidiFile(Path.Combine(dir.Path, AlignmentWriter.MidiName(i)), strictChecking: true);
            var tempo = midi.Events[0].OfType<TempoEvent>().Single();
            Assert.Equal(500_000, tempo.MicrosecondsPerQuarterNote);                              // 120 BPM: no tempo known
            var lyricEvents = midi.Events[0].OfType<TextEvent>().Where(e => e.MetaEventType == MetaEventType.Lyric).ToList();
            // Every word some window attended to, in time order; each at its peak code.
            var a = want[i].data<float>().ToArray();
            int codes = (int)z.shape[1];
            var words = LyricsMidi.Words(a, codes, text, secondsPerCode);
            Assert.NotEmpty(words);
            Assert.Equal(words.OrderBy(w => w.Seconds).Select(w => w.Word), lyricEvents.Select(e => e.Text));
            Assert.All(words, w => Assert.Contains(w.Word, expectedWords));
            foreach (var w in words)
            {
                int peak = Enumerable.Range(0, codes).MaxBy(t => Enumerable.Range(w.FirstChar, w.LastChar - w.FirstChar + 1).Sum(k => a[t * text.Length + k]));
                Assert.Equal(peak * secondsPerCode, w.Seconds, 9);
                var e = lyricEvents.First(x => x.Text == w.Word && Math.Abs(x.AbsoluteTime - Math.Round(w.Seconds * 2 * LyricsMidi.TicksPerQuarter)) <= 0);
                Assert.NotNull(e);
            }
            var png = File.ReadAllBytes(Path.Combine(dir.Path, AlignmentWriter.PngName(i)));
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
            Assert.Equal(1000, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));   // IHDR width
        }
    }

    [Fact]
    public void Priors_without_an_alignment_layer_write_nothing()
    {
        Assert.False(AlignmentWriter.CanAlign(new PriorOptions { Depth = 4, UseTokens = true, NTokens = 8 }));
        Assert.False(AlignmentWriter.CanAlign(new PriorOptions { Depth = 4, UseTokens = true, NTokens = 8, AlignmentLayer = 4 }));
        Assert.False(AlignmentWriter.CanAlign(new PriorOptions { Depth = 4, UseTokens = true, NTokens = 8, AlignmentLayer = 3 }));   // not a lyrics layer
        Assert.True(AlignmentWriter.CanAlign(new PriorOptions { Depth = 16, AttnOrder = 12, UseTokens = true, NTokens = 8, AlignmentLayer = 15 }));   // prime attention
        Assert.False(AlignmentWriter.CanAlign(new PriorOptions { Depth = 16, AttnOrder = 12, UseTokens = true, NTokens = 8, AlignmentLayer = 14 }));
        Assert.True(AlignmentWriter.CanAlign(new PriorOptions { Depth = 79, AttnOrder = 10, UseTokens = true, NTokens = 8, AlignmentLayer = 68 }));  // 5b_lyrics: cross attention
        Assert.False(AlignmentWriter.CanAlign(new PriorOptions { Depth = 4, AlignmentLayer = 3 }));   // no lyrics
    }

    [Fact]
    public void The_official_lyrics_presets_name_their_alignment_layers()
    {
        foreach (var (file, layer, head) in new[] { ("prior_1b_lyrics.json", 63, 0), ("prior_5b_lyrics.json", 68, 2) })
        {
            var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Fixtures.RepoRoot, "presets", "models", file))).RootElement.GetProperty("prior");
            var o = System.Text.Json.JsonSerializer.Deserialize<PriorOptions>(json)!;
            Assert.Equal((layer, head), (o.AlignmentLayer, o.AlignmentHead));
            Assert.True(AlignmentWriter.CanAlign(o));
        }
    }
}
