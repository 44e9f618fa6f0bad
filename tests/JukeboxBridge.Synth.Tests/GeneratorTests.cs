using JukeboxBridge.Errors;
using JukeboxBridge.Audio.Analysis;
using JukeboxBridge.Audio.Wav;
using JukeboxBridge.Synth.Music;
using JukeboxBridge.TestSupport;
using JukeboxBridge.Audio.Datasets;

namespace JukeboxBridge.Synth.Tests;

public class GeneratorTests
{
    [Fact]
    public void A_seed_always_gives_the_same_piece_and_its_labels()
    {
        var (a, ia) = PieceGenerator.Generate(42, 3);
        var (b, ib) = PieceGenerator.Generate(42, 3);
        var (c, _) = PieceGenerator.Generate(43, 3);
        Assert.Equal(ia, ib);
        Assert.Equal(a.Channels[0], b.Channels[0]);
        Assert.NotEqual(a.Channels[0], c.Channels[0]);
        Assert.Equal(44100 * 3, a.Frames);
        var g = GenreStyle.Named(ia.Genre);
        Assert.InRange(ia.Tempo, g.TempoMin, g.TempoMax);
        Assert.Contains(Key.Parse(ia.Key).Mode, g.Modes);
        float peak = a.Channels[0].Max(Math.Abs);
        Assert.InRange(peak, 0.5f, 0.81f);
    }

    [Fact]
    public void Pieces_carry_their_key_and_tempo_where_the_estimators_can_hear_them()
    {
        // 20 pieces over every genre and artist: the estimated tempo matches within 4% for most, and the estimated
        // key far more often than chance (1/24); the eval's key and tempo agreement rest on this.
        int keyOk = 0, tempoOk = 0, n = 20;
        for (int i = 0; i < n; i++)
        {
            var (clip, info) = PieceGenerator.Generate(1000 + i, 12, GenreStyle.All[i % 5].Name, Artist.All[i / 5 % 6].Name);
            if (Key.FromIndex(KeyEstimator.Estimate(clip.Channels[0], 44100).Key).ToString() == info.Key) keyOk++;
            if (TempoEstimator.Agree(TempoEstimator.Estimate(clip.Channels[0], 44100), info.Tempo)) tempoOk++;
        }
        Assert.True(tempoOk >= 14, $"tempo right in {tempoOk}/{n}");
        Assert.True(keyOk >= 8, $"key right in {keyOk}/{n}");
    }

    [Fact]
    public void Genres_and_artists_sound_different()
    {
        // Same seed and key, different genre: techno has more onsets per second than ambient and a faster tempo.
        double OnsetRate(float[] x) => x.Chunk(441).Select(c => c.Sum(v => v * v)).Zip(x.Chunk(441).Skip(1).Select(c => c.Sum(v => v * v)))
                                        .Count(p => p.Second > 2 * p.First + 1e-3) / (x.Length / 44100.0);
        var key = new Key(2, Mode.Minor);
        var (ambient, ia) = PieceGenerator.Generate(7, 8, "ambient", "aurora", key with { Mode = Mode.Major });
        var (techno, it) = PieceGenerator.Generate(7, 8, "techno", "aurora", key);
        Assert.True(it.Tempo > ia.Tempo + 30);
        Assert.True(OnsetRate(techno.Channels[0]) > 2 * OnsetRate(ambient.Channels[0]), $"onsets/s techno {OnsetRate(techno.Channels[0]):F1} vs ambient {OnsetRate(ambient.Channels[0]):F1}");
        Assert.Equal(3, GenreStyle.Named("waltz").BeatsPerBar);

        // Artists are timbre signatures: the long-term spectra (dB in log bands) of two pieces by one artist are closer
        // than those of pieces by different artists.
        double[] Ltas(float[] x)
        {
            var spec = Spectrogram.Compute(x, 44100, 4096, 4096);
            var bands = new double[20];
            foreach (var row in spec.Magnitudes)
                for (int k = 1; k < row.Length; k++)
                {
                    double hz = k * spec.BinHz;
                    int b = (int)Math.Floor(Math.Log2(hz / 100) * 3);
                    if (b >= 0 && b < bands.Length) bands[b] += row[k] * row[k];
                }
            double total = bands.Sum();
            return bands.Select(e => 10 * Math.Log10(e / total + 1e-12)).ToArray();
        }
        double Dist(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Average());
        var spectra = Artist.All.Select((a, i) => (Ltas(PieceGenerator.Generate(20 + i, 6, "rock", a.Name, key).Audio.Channels[0]),
                                                   Ltas(PieceGenerator.Generate(40 + i, 6, "rock", a.Name, key).Audio.Channels[0]))).ToList();
        double within = spectra.Average(p => Dist(p.Item1, p.Item2));
        double between = spectra.SelectMany((p, i) => spectra.Where((_, j) => j != i).Select(q => Dist(p.Item1, q.Item2))).Average();
        Assert.True(between > 2 * within, $"spectral distance between artists {between:F2} dB, within an artist {within:F2} dB");
        Assert.Equal("genre", Assert.Throws<UserInputException>(() => PieceGenerator.Generate(1, 1, "polka")).Field);
    }

    [Fact]
    public void The_dataset_writer_balances_labels_holds_out_pieces_and_is_deterministic()
    {
        using var dir = new TempDir();
        var meta = SynthDataset.Write(Path.Combine(dir.Path, "a"), hours: 60 * 2.0 / 3600, pieceSeconds: 2, seed: 3);   // 60 pieces of 2 s
        Assert.Equal(60, meta.Pieces.Count);
        Assert.Equal(6, meta.Pieces.Count(p => p.Split == "heldout"));
        // Held-out pieces cover every genre (a plain "every 10th piece" would hold out one genre only).
        Assert.Equal(GenreStyle.All.Count, meta.Pieces.Where(p => p.Split == "heldout").Select(p => p.Genre).Distinct().Count());
        Assert.All(GenreStyle.All, g => Assert.Equal(12, meta.Pieces.Count(p => p.Genre == g.Name)));
        Assert.All(Artist.All, a => Assert.Equal(10, meta.Pieces.Count(p => p.Artist == a.Name)));
        var loaded = DatasetMetadata.Load(Path.Combine(dir.Path, "a"));
        Assert.Equal(meta.Pieces.Select(p => p.Key), loaded.Pieces.Select(p => p.Key));
        var first = WavReader.Read(Path.Combine(dir.Path, "a", meta.Pieces[0].File));
        Assert.Equal(44100, first.SampleRate);
        Assert.Equal(88200, first.Frames);

        var again = SynthDataset.Write(Path.Combine(dir.Path, "b"), hours: 10 * 2.0 / 3600, pieceSeconds: 2, seed: 3);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.Path, "a", meta.Pieces[5].File)), File.ReadAllBytes(Path.Combine(dir.Path, "b", again.Pieces[5].File)));
    }
}
