using JukeboxBridge.Audio;
using JukeboxBridge.Audio.Datasets;
using JukeboxBridge.Sampling;
using JukeboxBridge.Synth;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Evaluation.Tests;

public class EvaluationTests
{
    [Fact]
    public void Agreement_is_far_above_chance_when_the_continuation_is_the_real_next_part_of_the_piece()
    {
        // The metric itself: a piece's own next seconds share its key and tempo (far above chance); another
        // piece's do not (much less often).
        using var dir = new TempDir();
        var meta = SynthDataset.Write(dir.Path, hours: 10 * 16.0 / 3600, pieceSeconds: 16, seed: 4, heldoutEvery: 1);   // 10 pieces, all held out
        var pieces = meta.Pieces.ToList();
        var audio = pieces.Select(p => AudioFile.ReadAs(Path.Combine(dir.Path, p.File), 44100, mono: true).Channels[0]).ToList();
        var prompts = audio.Select(a => a[..(8 * 44100)]).ToArray();
        var own = new MusicalChecks.Continuations(prompts, audio.Select(a => a[(8 * 44100)..]).ToArray());
        var (key, keyChance, tempo, tempoChance, _, _) = MusicalChecks.Agreement(own, pieces, 44100);
        Assert.Equal(1.0 / 24, keyChance, 9);
        Assert.True(key >= 0.6, $"key agreement with the real continuation {key:P0}");
        Assert.True(tempo >= 0.6, $"tempo agreement with the real continuation {tempo:P0}");
        Assert.True(tempoChance < tempo - 0.3, $"tempo chance {tempoChance:P0} vs agreement {tempo:P0}");

        var shuffled = new MusicalChecks.Continuations(prompts, own.Continued.Skip(1).Append(own.Continued[0]).ToArray());
        var (keyOther, _, tempoOther, _, _, _) = MusicalChecks.Agreement(shuffled, pieces, 44100);
        Assert.True(keyOther < key && tempoOther < tempo, $"another piece's continuation: key {keyOther:P0}, tempo {tempoOther:P0}");
    }

    [Fact]
    public void The_evaluation_runs_end_to_end_on_a_labelled_bundle_and_reports_every_figure()
    {
        using var dir = new TempDir();
        SynthDataset.Write(dir.Path, hours: 12 * 4.0 / 3600, pieceSeconds: 4, seed: 2, heldoutEvery: 3);                  // 4 held out
        using var bundle = ModelBundle.Load("tiny_labelled");
        var report = ModelEvaluator.Run(bundle, new EvalOptions
        {
            DataDir = dir.Path, VqvaePieces = 2, VqvaeSeconds = 2, PriorWindows = 3, Prompts = 3, PromptSeconds = 1.5, Seconds = 0.5, StylePrompts = 2,
        });
        Assert.Equal(8, report.UniformBits, 9);                                                     // 256 codes
        Assert.InRange(report.PriorBitsPerTokenL2, 6, 10);                                          // random weights: near uniform
        Assert.Equal(report.UniformBits - report.PriorBitsPerTokenL2, report.PriorBitsGainTop, 9);
        Assert.InRange(report.VqvaeSpectralConvergenceL0, 0.3, 10);                                 // random VQ-VAE: poor
        foreach (var v in new[] { report.KeyAgreement, report.TempoAgreement, report.TempoChance, report.StyleTempoDirection, report.StyleTimbreDirection, report.PromptKeyAccuracy,
                                   report.KeyAgreementTopLevel, report.VqvaeKeyPreservedL0, report.VqvaeKeyPreservedL2 })
            Assert.InRange(v, 0, 1);
        var json = report.ToJson();
        foreach (var key in new[] { "vqvae_spectral_convergence_l0", "vqvae_spectral_convergence_l1", "vqvae_spectral_convergence_l2", "prior_bits_per_token_l2",
                                    "prior_bits_gain_top", "key_agreement", "key_chance", "tempo_agreement", "tempo_chance",
                                    "vqvae_key_preserved_l0", "key_agreement_top_level" })
            Assert.Contains($"\"{key}\":", json);
    }
}
