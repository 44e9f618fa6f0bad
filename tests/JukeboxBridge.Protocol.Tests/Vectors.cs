using System.Text.Json;
using System.Text.Json.Nodes;
using JukeboxBridge.Protocol.Messages;
using JukeboxBridge.Protocol.Wire;

namespace JukeboxBridge.Protocol.Tests;

/// <summary>
/// tests/protocol-vectors/NAME/: header.msgpack (frame 0), pcm.f32 (frame 1, audio messages only) and fields.json
/// (the header as JSON; binary as {"$bin": "hex"}). The C# tests and the native shim's tests both decode and re-encode them.
/// </summary>
public static class Vectors
{
    public static string Dir
    {
        get
        {
            for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
                if (File.Exists(Path.Combine(d.FullName, "JukeboxBridge.sln"))) return Path.Combine(d.FullName, "tests", "protocol-vectors");
            throw new DirectoryNotFoundException("repository root (JukeboxBridge.sln) not found above the test binaries");
        }
    }

    /// <summary>One example of every message type, with fixed contents (a nonce of 0x00..0x1f, a short sine PCM).</summary>
    public static IReadOnlyList<(string Name, Message Message)> Examples()
    {
        var nonce = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var clientNonce = Enumerable.Range(32, 32).Select(i => (byte)i).ToArray();
        var pcm = new float[8];
        for (int i = 0; i < 4; i++) { pcm[2 * i] = MathF.Sin(i * 0.5f); pcm[2 * i + 1] = -pcm[2 * i]; }
        var bytes = new byte[pcm.Length * 4];
        Buffer.BlockCopy(pcm, 0, bytes, 0, bytes.Length);
        var mono = bytes.AsMemory(0, 16);
        var limits = new ServerLimits(64L << 20, 60, 4, 8);
        return
        [
            ("hello", new Hello("jukeboxbridge-vst3/0.1", [1])),
            ("welcome", new Welcome("jukeboxbridge/0.1", 1, nonce, ["default"], "cpu", 0, limits)),
            ("auth", new Auth("studio-laptop", JukeboxBridge.Protocol.Security.HmacAuth.Mac(new byte[32], nonce, "studio-laptop"), clientNonce)),
            ("auth_ok", new AuthOk(JukeboxBridge.Protocol.Security.HmacAuth.ServerMac(new byte[32], clientNonce, nonce, "studio-laptop"),
                                   new StyleLists(["aurora", "grit"], ["rock", "techno"]))),
            ("submit_continue", new Submit(7, "continue", new SubmitSettings { Seconds = 8, Variations = 3, Temperature = 0.98, Artist = "grit", Genre = "rock" },
                                           Prompt: new PcmFormat(48000, 2, 4), PromptPcm: bytes)),
            ("submit_resume", new Submit(8, "resume", new SubmitSettings(), Job: "20261125-041501-3f2a")),
            ("accepted", new Accepted(7, "20261125-041501-3f2a", 176384, 44100, 3)),
            ("progress", new Progress("20261125-041501-3f2a", 2, 3, 12, 1536, 6144, 12.5, 50.25)),
            ("block", new Block("20261125-041501-3f2a", 1, 0, 176384, new PcmFormat(44100, 1, 4), mono)),
            ("credit", new Credit("20261125-041501-3f2a", 16)),
            ("take_done", new TakeDone("20261125-041501-3f2a", 3, 9, 12.0)),
            ("error", new Error(ErrorCodes.BadSettings, "unknown artist 'grt' (did you mean grit?)", Request: 7)),
            ("cancel", new Cancel("20261125-041501-3f2a")),
            ("list_jobs", new ListJobs(100, 50)),
            ("jobs", new JobList([new JobInfo("20261125-041501-3f2a", "done", "continue", 8, 3, 9, "2026-11-25T04:15:01Z")], 100, 101)),
            ("fetch", new Fetch("20261125-041501-3f2a", 4)),
            ("ping", new Ping(1234567890123)),
            ("pong", new Pong(1234567890123)),
            ("bye", new Bye()),
        ];
    }

    public static JsonNode ToJson(object? value) => value switch
    {
        WireMap m => new JsonObject(m.Items.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)ToJson(kv.Value)))),
        IReadOnlyList<object?> l => new JsonArray(l.Select(x => (JsonNode?)ToJson(x)).ToArray()),
        byte[] b => new JsonObject { ["$bin"] = Convert.ToHexString(b).ToLowerInvariant() },
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        bool b => JsonValue.Create(b),
        string s => JsonValue.Create(s),
        _ => throw new ArgumentException($"no JSON for {value}"),
    };

    public static string Json(WireMap m) => ToJson(m).ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    public static void Write(string dir, Message m)
    {
        Directory.CreateDirectory(dir);
        var frames = MessageCodec.ToFrames(m);
        File.WriteAllBytes(Path.Combine(dir, "header.msgpack"), frames[0].ToArray());
        if (frames.Count > 1) File.WriteAllBytes(Path.Combine(dir, "pcm.f32"), frames[1].ToArray());
        File.WriteAllText(Path.Combine(dir, "fields.json"), Json(m.ToMap()) + "\n");
    }

    public static IReadOnlyList<ReadOnlyMemory<byte>> Read(string dir)
    {
        var frames = new List<ReadOnlyMemory<byte>> { File.ReadAllBytes(Path.Combine(dir, "header.msgpack")) };
        if (File.Exists(Path.Combine(dir, "pcm.f32"))) frames.Add(File.ReadAllBytes(Path.Combine(dir, "pcm.f32")));
        return frames;
    }
}
