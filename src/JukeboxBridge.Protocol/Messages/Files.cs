using System.Text.RegularExpressions;
using JukeboxBridge.Protocol.Wire;

namespace JukeboxBridge.Protocol.Messages;

/// <summary>
/// The extra files of a job a client may fetch, beside its audio: a lyrics model's lyrics-K.mid and alignment-K.png
/// (K = 1..99, one per variation). Names outside this pattern are refused before anything touches the disk.
/// </summary>
public static partial class JobFile
{
    /// <summary>Largest file sent (it travels in the header frame, whose limit is 256 KiB).</summary>
    public const int MaxBytes = 192 << 10;

    [GeneratedRegex(@"^(lyrics-[1-9][0-9]?\.mid|alignment-[1-9][0-9]?\.png)$")]
    private static partial Regex NamePattern();

    public static string CheckName(string name, string field = "name") =>
        NamePattern().IsMatch(name) ? name
            : throw new ProtocolException(ErrorCodes.BadMessage, $"field '{field}' is not a job file (lyrics-K.mid or alignment-K.png)");

    /// <summary>The files a job of <paramref name="variations"/> variations may have, in fetch order.</summary>
    public static IEnumerable<string> Names(int variations) =>
        Enumerable.Range(1, Math.Clamp(variations, 0, 99)).SelectMany(k => new[] { $"lyrics-{k}.mid", $"alignment-{k}.png" });
}

/// <summary>Client → daemon: one extra file of one of its jobs (<see cref="JobFile"/>).</summary>
public sealed record GetFile(string Job, string Name) : Message
{
    public override string Type => "get_file";
    protected override void WriteFields(WireMap m) => m.Add("job", Job).Add("name", Name);
    internal static GetFile From(WireMap m) => new(JobId.Check(m.String("job"), "job"), JobFile.CheckName(m.String("name")));
}

/// <summary>Daemon → client: the file's bytes.</summary>
public sealed record FileData(string Job, string Name, byte[] Data) : Message
{
    public override string Type => "file";
    protected override void WriteFields(WireMap m) => m.Add("job", Job).Add("name", Name).Add("data", Data);
    internal static FileData From(WireMap m)
    {
        var data = m.Bytes("data");
        if (data.Length > JobFile.MaxBytes) throw new ProtocolException(ErrorCodes.TooLarge, $"file of {data.Length} bytes; at most {JobFile.MaxBytes}");
        return new(JobId.Check(m.String("job"), "job"), JobFile.CheckName(m.String("name")), data);
    }
}
