using System.Text.Json;
using JukeboxBridge.Checkpoints;
using JukeboxBridge.Model.Checkpoints;
using JukeboxBridge.Model.Lyrics;
using JukeboxBridge.Model.Prior;
using JukeboxBridge.Model.Vqvae;
using JukeboxBridge.TestSupport;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Tests;

/// <summary>
/// Every e2e_primed case: the prompt's codes, windowed greedy sampling of levels 2, 1, 0 (windows, codes exact)
/// and the audio decoded after each level, as OpenAI's sample.py produced them.
/// </summary>
[Trait("Category", "Parity")]
[Trait("Area", "Sampling")]
public class E2ePrimedParityTests
{
    private const string Kind = "e2e_primed";
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", Kind);

    private static VqvaeOptions VqvaeOf(JsonElement h) => new()
    {
        SampleRate = h.GetProperty("sr").GetInt32(), Levels = h.GetProperty("levels").GetInt32(),
        DownsT = h.GetProperty("downs_t").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
        StridesT = h.GetProperty("strides_t").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
        EmbWidth = h.GetProperty("emb_width").GetInt32(), LBins = h.GetProperty("l_bins").GetInt32(),
        Width = h.GetProperty("width").GetInt32(), Depth = h.GetProperty("depth").GetInt32(), MConv = h.GetProperty("m_conv").GetDouble(),
        DilationGrowthRate = h.GetProperty("dilation_growth_rate").GetInt32(),
        DilationCycle = h.GetProperty("dilation_cycle").ValueKind == JsonValueKind.Number ? h.GetProperty("dilation_cycle").GetInt32() : null,
        Multipliers = h.GetProperty("hvqvae_multipliers").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
        ReverseDecoderDilation = h.GetProperty("vqvae_reverse_decoder_dilation").GetBoolean(),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Codes_windows_and_audio_match_at_every_level(string name)
    {
        var c = FixtureCases.Get("prior", Kind, name);
        using var f = CheckpointFile.Open(c.TensorPath);
        var h = c.Json.GetProperty("hparams");
        var (tol, atol) = (new Model.Tests.Tolerance(c.Json.GetProperty("tolerance").GetProperty("rtol").GetDouble(), 0), c.Json.GetProperty("tolerance").GetProperty("atol").GetDouble());
        using var vqvae = new VQVAE(VqvaeOf(h.GetProperty("vqvae")));
        StateDictLoader.Load(vqvae, StateDictLoader.WithPrefix(f, "weight/vqvae/"), strict: true, name);
        vqvae.eval();
        var priors = h.GetProperty("priors").EnumerateArray().Select(p => Model.Tests.PriorFixtureOptions.From(p, h.GetProperty("vqvae"))).ToArray();
        var models = priors.Select(o => new SimplePrior(o)).ToArray();
        try
        {
            for (int l = 0; l < models.Length; l++)
            {
                StateDictLoader.Load(models[l], StateDictLoader.WithPrefix(f, $"weight/prior_level_{l}/"), strict: true, $"{name} level {l}");
                models[l].eval();
            }
            var sampleHps = c.Json.GetProperty("sample_hps");
            long sampleLength = sampleHps.GetProperty("sample_length").GetInt64();
            var hops = sampleHps.GetProperty("hop_fraction").EnumerateArray().Select(x => x.GetDouble()).ToArray();
            var kwargs = c.Json.GetProperty("sampling_kwargs").EnumerateArray().ToArray();
            var metasJson = c.Json.GetProperty("metas");
            var metas = (metasJson.ValueKind == JsonValueKind.String ? JsonDocument.Parse(metasJson.GetString()!).RootElement : metasJson).EnumerateArray().ToArray();

            using var scope = NewDisposeScope();
            using var g = no_grad();
            var zs = vqvae.Encode(f["input/prompt"].ToTorch());
            for (int l = 0; l < zs.Length; l++) Model.Tests.TensorAssert.Close(zs[l], f[$"output/z_prompt_level_{l}"], tol, $"z_prompt_level_{l}");

            var windows = new List<WindowReport>();
            for (int level = models.Length - 1; level >= 0; level--)
            {
                var o = priors[level];
                var kw = kwargs[level];
                IReadOnlyList<long[]>? lyrics = null;
                if (o.UseTokens && o.NTokens > 0)
                {
                    var vocab = new LyricsVocabulary(o.NVocab == 79 ? "v3" : "v2");
                    lyrics = metas.Select(m => vocab.Encode(m.GetProperty("lyrics").GetString()!)).ToList();
                }
                var settings = new LevelSettings(
                    new SamplingOptions(kw.GetProperty("temp").GetDouble(), kw.GetProperty("top_k").GetInt32(), kw.GetProperty("top_p").GetDouble(),
                        kw.GetProperty("chunk_size").ValueKind == JsonValueKind.Number ? kw.GetProperty("chunk_size").GetInt32() : null),
                    hops[level], kw.GetProperty("max_batch_size").GetInt32()) { FullLyricTokens = lyrics, ReferencePartialWindow = true };
                var labels = f[$"input/labels_level_{level}"].ToTorch(ScalarType.Int64);
                windows.AddRange(LevelSampling.SampleLevel(models[level], zs, level, sampleLength / o.RawToTokens, labels, settings, new Generator(1)));
                Model.Tests.TensorAssert.Close(zs[level], f[$"output/z_level_{level}"], tol, $"z_level_{level}");
                using var audio = vqvae.Decode(zs[level..], level);
                Model.Tests.TensorAssert.Close(audio, f[$"output/audio_stage_level_{level}"], tol, $"audio_stage_level_{level}", atol);
            }

            var want = c.Json.GetProperty("windows").EnumerateArray()
                .Select(w => new WindowReport(w.GetProperty("level").GetInt32(), w.GetProperty("start").GetInt64(), w.GetProperty("end").GetInt64(),
                    w.GetProperty("tokens_before").GetInt64(), w.GetProperty("tokens_after").GetInt64(), w.GetProperty("new_tokens").GetInt64())).ToList();
            Assert.Equal(want, windows);
        }
        finally { foreach (var m in models) m.Dispose(); }
    }

    [Fact]
    public void Window_starts_follow_the_reference() =>
        Assert.Equal(new long[] { 0, 8, 16, 24, 32 }, LevelSampling.Starts(64, 32, 8));
}
