using JukeboxBridge.Model.Vqvae;
using static TorchSharp.torch;

namespace JukeboxBridge.Sampling.Tests;

/// <summary>Streamed blocks, concatenated, equal the one-shot decode of the whole code sequence.</summary>
public class BlockDecoderTests
{
    [Theory]
    [InlineData(0.05)]
    [InlineData(0.2)]
    [InlineData(0.7)]
    public void Concatenated_blocks_equal_the_one_shot_decode(double blockSeconds)
    {
        using var vq = VqvaeLoader.Load("vqvae_tiny", seed: 4);
        manual_seed(9);
        long frames = 44100 * 2 / 8;                                            // 2 s of level-0 codes
        using var codes = randint(0, vq.Model.Options.LBins, new long[] { 2, frames });
        using var whole = vq.Model.Decode(new[] { codes }, 0);                  // (2, T, 1)

        var decoder = new BlockDecoder(vq.Model, blockSeconds);
        var blocks = new List<DecodedBlock>();
        var rng = new Random(1);
        for (long have = 0; have < frames; )
        {
            have = Math.Min(frames, have + rng.Next(50, 3000));                  // codes arrive in uneven pieces
            using var sofar = codes.narrow(1, 0, have);
            var got = decoder.Push(sofar, final: have == frames);
            // A block is only released once its look-ahead exists (or at the end).
            Assert.All(got, b => Assert.True(have == frames || b.SampleOffset / 8 + decoder.BlockFrames + decoder.LookaheadFrames <= have));
            blocks.AddRange(got);
        }
        Assert.Equal(Enumerable.Range(0, blocks.Count), blocks.Select(b => b.Seq));
        long offset = 0;
        foreach (var b in blocks) { Assert.Equal(offset, b.SampleOffset); offset += b.Audio[0].Length; }
        Assert.Equal(whole.shape[1], offset);
        for (int v = 0; v < 2; v++)
        {
            var want = whole[v, .., 0].data<float>().ToArray();
            var got = blocks.SelectMany(b => b.Audio[v]).ToArray();
            double maxDiff = want.Zip(got, (x, y) => Math.Abs(x - y)).Max();
            Assert.True(maxDiff <= 1e-4, $"max |diff| {maxDiff}");
        }
    }

    [Fact]
    public void More_rows_than_one_decode_takes_are_decoded_in_groups_with_the_same_audio()
    {
        using var vq = VqvaeLoader.Load("vqvae_tiny", seed: 4);
        manual_seed(3);
        int rows = BlockDecoder.RowsPerDecode + 3;
        using var codes = randint(0, vq.Model.Options.LBins, new long[] { rows, 400 });
        var got = new BlockDecoder(vq.Model, 0.02).DecodeRange(codes, 100, 300);
        Assert.Equal(rows, got.Length);
        for (int r = 0; r < rows; r += 5)
        {
            using var one = codes.narrow(0, r, 1);
            var alone = new BlockDecoder(vq.Model, 0.02).DecodeRange(one, 100, 300)[0];
            Assert.Equal(alone.Length, got[r].Length);
            Assert.True(alone.Zip(got[r]).All(p => Math.Abs(p.First - p.Second) <= 1e-5f), $"row {r} differs when decoded with the others");
        }
    }
}
