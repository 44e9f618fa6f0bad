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
        var (classifier, _) = Style.ClassifierTraining.Train(dir.Path, new Style.ClassifierTraining.Options(Steps: 5, Batch: 4, CropSeconds: 1));
        var report = ModelEvaluator.Run(bundle, new EvalOptions
        {
            DataDir = dir.Path, VqvaePieces = 2, VqvaeSeconds = 2, UpsamplerSeconds = 0.5, PriorWindows = 3, Prompts = 3, PromptSeconds = 1.5, Seconds = 1,
            StylePrompts = 2, Classifier = classifier, FadClipSeconds = 0.5,
        });
        Assert.Equal(8, report.UniformBits, 9);                                                     // 256 codes
        Assert.InRange(report.PriorBitsPerTokenL2, 6, 10);                                          // random weights: near uniform
        Assert.Equal(report.UniformBits - report.PriorBitsPerTokenL2, report.PriorBitsGainTop, 9);
        Assert.InRange(report.VqvaeSpectralConvergenceL0, 0.3, 10);                                 // random VQ-VAE: poor
        foreach (var v in new[] { report.KeyAgreement, report.TempoAgreement, report.TempoChance, report.StyleTempoDirection, report.StyleTimbreDirection, report.PromptKeyAccuracy,
                                   report.KeyAgreementTopLevel, report.VqvaeKeyPreservedL0, report.VqvaeKeyPreservedL2, report.ClassifierGenreAccuracy,
                                   report.ContinuationGenreAccuracy, report.ContinuationArtistAccuracy })
            Assert.InRange(v, 0, 1);
        Assert.InRange(report.UpsampleScTrueTop, 0.3, 10);                                          // random upsamplers: noise
        Assert.InRange(report.UpsampleScTrueL1, 0.3, 10);
        Assert.True(report.UpsamplerConditioningGainBitsL0 is > -5 and < 5, $"random weights barely listen: {report.UpsamplerConditioningGainBitsL0}");
        Assert.True(report.FadContinuation > 0 && report.FadReconstruction > 0, $"FAD {report.FadContinuation} / {report.FadReconstruction}");
        Assert.InRange(report.FadClips, 3, 6);                                                      // 3 continuations of about 1 s (whole codes) in clips of 0.5 s
        Assert.Equal(4 * 8, report.FadReferenceClips);                                              // 4 held-out pieces of 4 s
        var json = report.ToJson();
        foreach (var key in new[] { "vqvae_spectral_convergence_l0", "vqvae_spectral_convergence_l1", "vqvae_spectral_convergence_l2", "prior_bits_per_token_l2",
                                    "prior_bits_gain_top", "key_agreement", "key_chance", "tempo_agreement", "tempo_chance",
                                    "vqvae_key_preserved_l0", "key_agreement_top_level", "upsample_sc_true_top", "upsample_sc_true_l1",
                                    "continuation_genre_accuracy", "continuation_artist_accuracy", "classifier_genre_accuracy", "fad_continuation",
                                    "fad_reconstruction", "fad_embedding_size" })
            Assert.Contains($"\"{key}\":", json);
    }
}
