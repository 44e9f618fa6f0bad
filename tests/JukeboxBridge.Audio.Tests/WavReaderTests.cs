using JukeboxBridge.Audio.Wav;

namespace JukeboxBridge.Audio.Tests;

public class WavReaderTests
{
    private static AudioClip Read(byte[] bytes, out WavInfo info) => WavReader.Read(bytes, "test.wav", out info);

    [Fact]
    public void Reads_8_bit_unsigned_pcm()
    {
        var wav = new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 1, 8000, 8)).Chunk("data", new byte[] { 0, 128, 255, 64 }).Build();
        var clip = Read(wav, out var info);
        Assert.Equal(WavSampleFormat.Pcm8, info.Format);
        Assert.Equal(new[] { -1f, 0f, 127f / 128, -0.5f }, clip.Channels[0]);
        Assert.Equal(8000, clip.SampleRate);
    }

    [Fact]
    public void Reads_16_bit_stereo_interleaved()
    {
        var data = new short[] { -32768, 32767, 16384, -16384 }.SelectMany(BitConverter.GetBytes).ToArray();
        var clip = Read(new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 2, 44100, 16)).Chunk("data", data).Build(), out _);
        Assert.Equal(2, clip.ChannelCount);
        Assert.Equal(new[] { -1f, 0.5f }, clip.Channels[0]);
        Assert.Equal(new[] { 32767f / 32768, -0.5f }, clip.Channels[1]);
    }

    [Fact]
    public void Reads_24_bit_with_sign_extension()
    {
        var data = new byte[] { 0x00, 0x00, 0x80, 0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x40, 0xFF, 0xFF, 0xFF };
        var clip = Read(new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 1, 48000, 24)).Chunk("data", data).Build(), out var info);
        Assert.Equal(WavSampleFormat.Pcm24, info.Format);
        Assert.Equal(new[] { -1f, 8388607f / 8388608, 0.5f, -1f / 8388608 }, clip.Channels[0]);
    }

    [Fact]
    public void Reads_32_bit_int_and_float_32_and_64()
    {
        var i32 = new[] { int.MinValue, 1 << 30 }.SelectMany(BitConverter.GetBytes).ToArray();
        Assert.Equal(new[] { -1f, 0.5f }, Read(new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 1, 44100, 32)).Chunk("data", i32).Build(), out _).Channels[0]);
        var f32 = new[] { 0.25f, -0.75f, 1.5f }.SelectMany(BitConverter.GetBytes).ToArray();
        Assert.Equal(new[] { 0.25f, -0.75f, 1.5f }, Read(new WavBytes().Chunk("fmt ", WavBytes.Fmt(3, 1, 44100, 32)).Chunk("fact", new byte[4]).Chunk("data", f32).Build(), out _).Channels[0]);
        var f64 = new[] { 0.125, -0.5 }.SelectMany(BitConverter.GetBytes).ToArray();
        var clip = Read(new WavBytes().Chunk("fmt ", WavBytes.Fmt(3, 1, 96000, 64)).Chunk("data", f64).Build(), out var info);
        Assert.Equal(WavSampleFormat.Float64, info.Format);
        Assert.Equal(new[] { 0.125f, -0.5f }, clip.Channels[0]);
    }

    [Fact]
    public void Reads_extensible_six_channel_24_bit_and_extensible_float()
    {
        var data = Enumerable.Range(0, 6 * 2).SelectMany(i => new byte[] { 0, 0, (byte)(i * 8) }).ToArray();
        var clip = Read(new WavBytes().Chunk("fmt ", WavBytes.FmtExtensible(1, 6, 48000, 24, 0x3F)).Chunk("data", data).Build(), out var info);
        Assert.True(info.Extensible);
        Assert.Equal(6, clip.ChannelCount);
        Assert.Equal(2, clip.Frames);
        Assert.Equal(5 * 8 / 128f, clip.Channels[5][0]);
        Assert.Equal(11 * 8 / 128f, clip.Channels[5][1]);

        var f = new[] { 0.5f, -0.25f }.SelectMany(BitConverter.GetBytes).ToArray();
        var fc = Read(new WavBytes().Chunk("fmt ", WavBytes.FmtExtensible(3, 2, 44100, 32, 0x3)).Chunk("data", f).Build(), out var fi);
        Assert.Equal(WavSampleFormat.Float32, fi.Format);
        Assert.Equal(0.5f, fc.Channels[0][0]);
        Assert.Equal(-0.25f, fc.Channels[1][0]);
    }

    [Fact]
    public void Skips_unknown_and_odd_sized_chunks_with_their_pad_byte()
    {
        var data = new short[] { 1000, -1000, 2000 }.SelectMany(BitConverter.GetBytes).ToArray();
        var wav = new WavBytes()
            .Chunk("JUNK", new byte[7])                        // odd: padded
            .Chunk("fmt ", WavBytes.Fmt(1, 1, 22050, 16))
            .Chunk("LIST", "INFOISFT\u0005\0\0\0abcde"u8.ToArray()) // odd-sized body
            .Chunk("bext", new byte[3])
            .Chunk("data", data)
            .Chunk("id3 ", new byte[5])                        // trailing chunk after data
            .Build();
        var clip = Read(wav, out _);
        Assert.Equal(new[] { 1000 / 32768f, -1000 / 32768f, 2000 / 32768f }, clip.Channels[0]);
    }

    [Fact]
    public void Odd_sized_8_bit_data_without_final_pad_byte_reads()
    {
        var wav = new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 1, 8000, 8)).Chunk("data", new byte[] { 128, 192, 64 }).Build(padOddChunks: false);
        Assert.Equal(3, Read(wav, out _).Frames);
    }

    [Theory]
    [InlineData("truncated")]
    [InlineData("wrong magic")]
    [InlineData("adpcm")]
    [InlineData("nine channels")]
    [InlineData("no data")]
    [InlineData("data before fmt")]
    [InlineData("12 bit")]
    [InlineData("block align")]
    [InlineData("empty")]
    [InlineData("not wave")]
    public void Bad_files_give_an_error_naming_the_problem(string which)
    {
        var fmt16 = WavBytes.Fmt(1, 1, 44100, 16);
        var pcm = new byte[400];
        (byte[] bytes, string expect) = which switch
        {
            "truncated" => (new WavBytes().Chunk("fmt ", fmt16).Chunk("data", pcm).Build()[..300], "truncated"),
            "wrong magic" => ("OggS\0\0\0\0WAVE"u8.ToArray(), "not a WAV file"),
            "adpcm" => (new WavBytes().Chunk("fmt ", WavBytes.Fmt(2, 1, 44100, 4, 256)).Chunk("data", pcm).Build(), "ADPCM"),
            "nine channels" => (new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 9, 44100, 16)).Chunk("data", pcm).Build(), "9 channels"),
            "no data" => (new WavBytes().Chunk("fmt ", fmt16).Chunk("LIST", new byte[4]).Build(), "no data chunk"),
            "data before fmt" => (new WavBytes().Chunk("data", pcm).Chunk("fmt ", fmt16).Build(), "before the fmt"),
            "12 bit" => (new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 1, 44100, 12, 2)).Chunk("data", pcm).Build(), "12-bit"),
            "block align" => (new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 2, 44100, 16, 2)).Chunk("data", pcm).Build(), "block align"),
            "empty" => (Array.Empty<byte>(), "too short"),
            _ => ("RIFF\x10\0\0\0AVI LIST\0\0\0\0"u8.ToArray(), "not 'WAVE'"),
        };
        var e = Assert.Throws<AudioFormatException>(() => WavReader.Read(bytes, "take.wav", out _));
        Assert.Contains(expect, e.Message);
        Assert.StartsWith("take.wav", e.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var e = Assert.Throws<AudioFormatException>(() => WavReader.Read("/nonexistent/clip.wav"));
        Assert.Contains("not found", e.Message);
    }

    [Fact]
    public void Reads_a_file_whose_riff_size_is_zero_or_streamed()
    {
        // Recorders that stream write 0 or 0xFFFFFFFF as the RIFF size (and data size); NAudio's WaveFileReader refuses
        // the first ("No fmt chunk found"), which is one reason the chunk walk is our own.
        var data = new short[] { 1000, -1000, 2000 }.SelectMany(BitConverter.GetBytes).ToArray();
        foreach (uint riffSize in new[] { 0u, 0xFFFFFFFFu })
        {
            var wav = new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 1, 22050, 16)).Chunk("data", data).Build();
            BitConverter.GetBytes(riffSize).CopyTo(wav, 4);
            Assert.Equal(3, Read(wav, out _).Frames);
        }
        var streamed = new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 1, 22050, 16)).Chunk("data", data).Build(dataSizeOverride: 0xFFFFFFFF);
        Assert.Equal(new[] { 1000 / 32768f, -1000 / 32768f, 2000 / 32768f }, Read(streamed, out _).Channels[0]);
    }

    [Fact]
    public void A_truncated_data_chunk_is_refused_not_shortened()
    {
        // NAudio's reader reads such a file as a shorter one without a word; a take cut off by a full disk must not pass.
        var wav = new WavBytes().Chunk("fmt ", WavBytes.Fmt(1, 2, 44100, 16)).Chunk("data", new byte[4000]).Build()[..2000];
        var e = Assert.Throws<AudioFormatException>(() => Read(wav, out _));
        Assert.Contains("truncated: the data chunk says 4000 bytes but only 1956 follow", e.Message);
    }
}
