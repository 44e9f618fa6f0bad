using JukeboxBridge.Protocol.Security;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.Protocol.Wire;

namespace JukeboxBridge.Protocol.Tests;

public class ProtocolTests
{
    [Fact]
    public void The_examples_encode_to_the_committed_test_vectors()
    {
        // Regenerate after a deliberate protocol change with JUKEBOX_WRITE_VECTORS=1 (then review the diff).
        bool write = Environment.GetEnvironmentVariable("JUKEBOX_WRITE_VECTORS") == "1";
        foreach (var (name, message) in Vectors.Examples())
        {
            string dir = Path.Combine(Vectors.Dir, name);
            if (write) Vectors.Write(dir, message);
            var frames = MessageCodec.ToFrames(message);
            var committed = Vectors.Read(dir);
            Assert.Equal(committed.Count, frames.Count);
            for (int i = 0; i < frames.Count; i++) Assert.True(committed[i].Span.SequenceEqual(frames[i].Span), $"{name}: frame {i} differs from the committed vector");
        }
    }

    [Fact]
    public void Every_vector_decodes_to_its_fields_and_re_encodes_to_the_same_bytes()
    {
        var dirs = Directory.GetDirectories(Vectors.Dir);
        Assert.NotEmpty(dirs);
        var types = new HashSet<string>();
        foreach (var dir in dirs)
        {
            var frames = Vectors.Read(dir);
            var message = MessageCodec.FromFrames(frames);
            types.Add(message.Type);
            Assert.Equal(File.ReadAllText(Path.Combine(dir, "fields.json")).Trim(), Vectors.Json(WireCodec.Decode(frames[0])));
            var again = MessageCodec.ToFrames(message);
            Assert.Equal(frames.Count, again.Count);
            for (int i = 0; i < frames.Count; i++) Assert.True(frames[i].Span.SequenceEqual(again[i].Span), $"{Path.GetFileName(dir)}: frame {i} does not re-encode to the same bytes");
        }
        Assert.Equal(18, types.Count);                                                     // every message type has a vector
    }

    [Fact]
    public void The_byte_level_example_in_the_docs_is_what_ping_encodes_to()
    {
        // 0x83 map(3) · a1 'v' · 01 · a4 'type' · a4 'ping' · a1 't' · 0x2a  (docs/protocol.md)
        var bytes = MessageCodec.ToFrames(new Ping(42))[0].ToArray();
        Assert.Equal(Convert.FromHexString("83a17601a474797065a470696e67a1742a"), bytes);
    }

    [Theory]
    [InlineData("c1")]                                   // never-used code
    [InlineData("93010203")]                             // an array, not a map
    [InlineData("82a176")]                               // truncated
    [InlineData("df7fffffff")]                           // map32 claiming 2^31 entries
    [InlineData("81a1c6ffffffff")]                       // bin32 claiming 4 GiB
    [InlineData("82a17601a474797065a470696e67ff")]       // trailing byte
    [InlineData("82a17601a47479706501")]                 // type is an integer
    [InlineData("")]                                     // empty frame
    public void Malformed_headers_are_refused_as_bad_message(string hex)
    {
        var e = Assert.Throws<ProtocolException>(() => MessageCodec.FromFrames([Convert.FromHexString(hex)]));
        Assert.Equal(ErrorCodes.BadMessage, e.Code);
    }

    [Fact]
    public void Random_bytes_never_crash_the_decoder()
    {
        var rng = new Random(5);
        for (int i = 0; i < 2000; i++)
        {
            var b = new byte[rng.Next(1, 64)];
            rng.NextBytes(b);
            if (rng.Next(2) == 0) b[0] = (byte)(0x80 | rng.Next(16));                       // often a fixmap, to get further in
            try { MessageCodec.FromFrames([b]); }
            catch (ProtocolException e) { Assert.Contains(e.Code, new[] { ErrorCodes.BadMessage, ErrorCodes.UnsupportedVersion }); }
        }
    }

    [Fact]
    public void Limits_versions_and_pcm_lengths_are_enforced()
    {
        var ping = MessageCodec.ToFrames(new Ping(1))[0];
        Assert.Equal(ErrorCodes.TooLarge, Assert.Throws<ProtocolException>(() => MessageCodec.FromFrames([ping, new byte[100]], new FrameLimits(MaxMessageBytes: 64))).Code);
        Assert.Equal(ErrorCodes.BadMessage, Assert.Throws<ProtocolException>(() => MessageCodec.FromFrames([ping, new byte[4]])).Code);   // ping has no PCM

        var v2 = WireCodec.Encode(new WireMap().Add("v", 2).Add("type", "ping").Add("t", 1));
        Assert.Equal(ErrorCodes.UnsupportedVersion, Assert.Throws<ProtocolException>(() => MessageCodec.FromFrames([v2])).Code);
        var hello = WireCodec.Encode(new WireMap().Add("v", 2).Add("type", "hello").Add("client", "future").Add("versions", new long[] { 1, 2 }));
        Assert.Equal(new long[] { 1, 2 }, ((Hello)MessageCodec.FromFrames([hello])).Versions);  // hello is read whatever its version

        var submit = new Submit(1, "continue", new SubmitSettings(), Prompt: new PcmFormat(44100, 2, 10), PromptPcm: new byte[80]);
        var frames = MessageCodec.ToFrames(submit);
        Assert.IsType<Submit>(MessageCodec.FromFrames(frames));
        var e = Assert.Throws<ProtocolException>(() => MessageCodec.FromFrames([frames[0], new byte[79]]));
        Assert.Contains("80", e.Message);
        Assert.Throws<ProtocolException>(() => MessageCodec.FromFrames([frames[0]]));                                   // PCM missing
        var badRate = MessageCodec.ToFrames(submit with { Prompt = new PcmFormat(100, 2, 10) });
        Assert.Contains("sample rate", Assert.Throws<ProtocolException>(() => MessageCodec.FromFrames(badRate)).Message);
        var badMode = WireCodec.Encode(new WireMap().Add("v", 1).Add("type", "submit").Add("request", 1).Add("mode", "rm -rf"));
        Assert.Contains("unknown mode", Assert.Throws<ProtocolException>(() => MessageCodec.FromFrames([badMode])).Message);
    }

    [Fact]
    public void Unknown_fields_are_ignored_so_the_schema_can_grow()
    {
        var map = new PingWithExtra().ToMap();
        var msg = MessageCodec.FromFrames([WireCodec.Encode(map)]);
        Assert.Equal(new Ping(3), msg);
    }

    private sealed record PingWithExtra : Message
    {
        public override string Type => "ping";
        protected override void WriteFields(WireMap m) => m.Add("t", 3).Add("future_field", new WireMap().Add("x", 1.5));
    }

    [Fact]
    public void Hmac_auth_accepts_only_the_right_secret_nonce_and_client()
    {
        var secret = HmacAuth.NewSecret();
        var nonce = HmacAuth.NewNonce();
        var mac = HmacAuth.Mac(secret, nonce, "laptop");
        Assert.True(HmacAuth.Verify(secret, nonce, "laptop", mac));
        Assert.False(HmacAuth.Verify(HmacAuth.NewSecret(), nonce, "laptop", mac));
        Assert.False(HmacAuth.Verify(secret, HmacAuth.NewNonce(), "laptop", mac));                 // a replayed answer to an old challenge
        Assert.False(HmacAuth.Verify(secret, nonce, "desktop", mac));
        Assert.False(HmacAuth.Verify(secret, nonce, "laptop", mac.AsSpan(0, 31)));
        Assert.NotEqual(HmacAuth.NewNonce(), HmacAuth.NewNonce());
        // A known answer (Python: hmac.new(bytes(32), b'jukeboxbridge-auth-v1' + bytes(32) + b'x', sha256)), for the native shim too.
        Assert.Equal("32e9d73dc5836f7efdffd2d735e2c73ba92b2b324d622d4110defb46ee0bcc35", Convert.ToHexString(HmacAuth.Mac(new byte[32], new byte[32], "x")).ToLowerInvariant());
    }
}
