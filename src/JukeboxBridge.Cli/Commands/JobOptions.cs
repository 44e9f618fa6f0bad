using JukeboxBridge.Errors;
using System.CommandLine;
using System.Globalization;
using JukeboxBridge.Sampling;
using JukeboxBridge.Sampling.Devices;
using JukeboxBridge.Sampling.Jobs;

namespace JukeboxBridge.Cli.Commands;

/// <summary>The options every sampling command shares (continue, sample, upsample), turned into JobSettings.</summary>
internal sealed class JobOptions
{
    public readonly Option<string?> Model = new("--model") { Description = "bundle preset (presets/bundles: tiny, ...) or a folder (OpenAI's release files, or one with bundle.json); default: the embedded default model" };
    public readonly Option<string> Out = new("--out") { Description = "job folder for the takes (WAV + PNG per variation), codes, settings and streamed blocks", Required = true };
    public readonly Option<bool> Overwrite = new("--overwrite") { Description = "replace the job already in --out (its takes, codes and blocks)" };
    public readonly Option<double?> Seconds = new("--seconds") { Description = "seconds of new music (default: the bundle's)" };
    public readonly Option<int?> Variations = new("--variations") { Description = "takes to generate, batched together (default: the bundle's)" };
    public readonly Option<int> Seed = new("--seed") { Description = "random seed (same seed, same takes)", DefaultValueFactory = _ => 0 };
    public readonly Option<string?> Temperature = new("--temperature") { Description = "sampling temperature: one value, or one per level bottom to top (e.g. 0.99,0.99,0.98); default: the bundle's" };
    public readonly Option<string?> HopFraction = new("--hop-fraction") { Description = "window hop as a fraction of the context, one value or one per level bottom to top; default: the bundle's" };
    public readonly Option<int> TopK = new("--top-k") { Description = "keep only the k most likely codes (0: off)", DefaultValueFactory = _ => 0 };
    public readonly Option<double> TopP = new("--top-p") { Description = "nucleus sampling (0: off)", DefaultValueFactory = _ => 0 };
    public readonly Option<string?> Artist = new("--artist") { Description = "artist (labelled models; see `jukebox styles`)" };
    public readonly Option<string?> Genre = new("--genre") { Description = "genre, or several joined by spaces (labelled models)" };
    public readonly Option<string?> Lyrics = new("--lyrics") { Description = "text file with the lyrics (lyrics models)" };
    public readonly Option<double?> SongSeconds = new("--song-seconds") { Description = "total song length told to the timing conditioner (default: the take's length)" };
    public readonly Option<double> OffsetSeconds = new("--offset-seconds") { Description = "where the take starts in that song", DefaultValueFactory = _ => 0 };
    public readonly Option<string?> Ids = new("--ids") { Description = "folder with OpenAI's id tables (labelled models); default: the bundle's, or $JUKEBOX_IDS" };
    public readonly Option<string> Schedule = new("--schedule") { Description = "interleaved (audio streams early) or level-by-level (the reference's order); same takes", DefaultValueFactory = _ => "interleaved" };
    public readonly Option<double> BlockSeconds = new("--block-seconds") { Description = "seconds per streamed audio block", DefaultValueFactory = _ => 1.0 };
    public readonly Option<string> Quality = new("--quality") { Description = "full (every level) or preview (the top level only, decoded from it: a fraction of the time; upsample the keeper with `jukebox upsample JOB --variation K`)", DefaultValueFactory = _ => "full" };
    public readonly Option<double> TimelineSeconds = new("--timeline-seconds") { Description = "where the take's first sample belongs on your timeline, in seconds: the BWF time reference of the take WAVs (DAWs import them there)", DefaultValueFactory = _ => 0 };
    public readonly Option<bool> ReferencePartialWindow = new("--reference-partial-window") { Description = "reproduce the reference's overshoot when a level is shorter than one window" };
    public readonly DeviceOptionSet Device = new();

    public JobOptions()
    {
        Schedule.AcceptOnlyFromAmong("interleaved", "level-by-level");
        Quality.AcceptOnlyFromAmong("full", "preview");
    }

    /// <param name="withQuality">Whether the command takes --quality (an upsample is always full).</param>
    public void AddTo(Command cmd, bool withOut = true, bool withQuality = true)
    {
        if (withOut) { cmd.Options.Add(Out); cmd.Options.Add(Overwrite); }
        if (withQuality) cmd.Options.Add(Quality);
        foreach (var o in new Option[] { Model, Seconds, Variations, Seed, Temperature, HopFraction, TopK, TopP, Artist, Genre, Lyrics, SongSeconds, OffsetSeconds, Ids, Schedule, BlockSeconds, TimelineSeconds, ReferencePartialWindow })
            cmd.Options.Add(o);
        Device.AddTo(cmd);
    }

    /// <param name="rows">Rows of the codes a job starts from: the default number of variations.</param>
    public JobSettings Settings(ParseResult r, JobMode mode, string model, ModelBundle bundle, string? promptName, int? rows = null)
    {
        string? lyricsFile = r.GetValue(Lyrics);
        return new JobSettings
        {
            Mode = mode, Model = model, Prompt = promptName,
            Seconds = r.GetValue(Seconds) ?? bundle.Sampling.Seconds,
            Variations = r.GetValue(Variations) ?? rows ?? bundle.Sampling.Variations,
            Seed = r.GetValue(Seed),
            Temperature = Doubles(r.GetValue(Temperature), "--temperature"), HopFraction = Doubles(r.GetValue(HopFraction), "--hop-fraction"),
            TopK = r.GetValue(TopK), TopP = r.GetValue(TopP),
            Artist = r.GetValue(Artist), Genre = r.GetValue(Genre),
            Lyrics = lyricsFile is null ? null : File.ReadAllText(lyricsFile),
            SongSeconds = r.GetValue(SongSeconds), OffsetSeconds = r.GetValue(OffsetSeconds),
            Schedule = r.GetValue(Schedule) == "level-by-level" ? ScheduleKind.LevelByLevel : ScheduleKind.Interleaved,
            BlockSeconds = r.GetValue(BlockSeconds),
            ReferencePartialWindow = r.GetValue(ReferencePartialWindow),
            Quality = r.GetValue(Quality) == "preview" ? JobQuality.Preview : JobQuality.Full,
            TimelineSeconds = r.GetValue(TimelineSeconds),
        };
    }

    /// <summary>
    /// <paramref name="s"/> (e.g. the settings an upsample carries over from its source job) with the options given on
    /// the command line in their place; options left out keep its values.
    /// </summary>
    public JobSettings Override(ParseResult r, JobSettings s)
    {
        bool Given(Option o) => r.GetResult(o) is { Implicit: false };
        string? lyricsFile = r.GetValue(Lyrics);
        return s with
        {
            Variations = r.GetValue(Variations) ?? s.Variations,
            Seed = Given(Seed) ? r.GetValue(Seed) : s.Seed,
            Temperature = Given(Temperature) ? Doubles(r.GetValue(Temperature), "--temperature") : s.Temperature,
            HopFraction = Given(HopFraction) ? Doubles(r.GetValue(HopFraction), "--hop-fraction") : s.HopFraction,
            TopK = Given(TopK) ? r.GetValue(TopK) : Given(TopP) ? 0 : s.TopK,
            TopP = Given(TopP) ? r.GetValue(TopP) : Given(TopK) ? 0 : s.TopP,
            Artist = r.GetValue(Artist) ?? s.Artist, Genre = r.GetValue(Genre) ?? s.Genre,
            Lyrics = lyricsFile is null ? s.Lyrics : File.ReadAllText(lyricsFile),
            SongSeconds = r.GetValue(SongSeconds) ?? s.SongSeconds, OffsetSeconds = Given(OffsetSeconds) ? r.GetValue(OffsetSeconds) : s.OffsetSeconds,
            Schedule = Given(Schedule) ? (r.GetValue(Schedule) == "level-by-level" ? ScheduleKind.LevelByLevel : ScheduleKind.Interleaved) : s.Schedule,
            BlockSeconds = Given(BlockSeconds) ? r.GetValue(BlockSeconds) : s.BlockSeconds,
            TimelineSeconds = Given(TimelineSeconds) ? r.GetValue(TimelineSeconds) : s.TimelineSeconds,
            ReferencePartialWindow = Given(ReferencePartialWindow) ? r.GetValue(ReferencePartialWindow) : s.ReferencePartialWindow,
        };
    }

    public TakeStore Store(ParseResult r) => TakeStore.Create(r.GetValue(Out)!, r.GetValue(Overwrite));

    public string? IdsDir(ParseResult r, ModelBundle bundle) => r.GetValue(Ids) ?? bundle.IdsDir ?? Environment.GetEnvironmentVariable("JUKEBOX_IDS");

    internal static double[] Doubles(string? text, string name)
    {
        if (text is null) return [];
        try { return text.Split(',').Select(t => double.Parse(t.Trim(), CultureInfo.InvariantCulture)).ToArray(); }
        catch (FormatException) { throw new UserInputException(name, $"{name} takes a number or comma-separated numbers, got '{text}'"); }
    }
}

/// <summary>--device / --precision / --memory-budget: where sampling computes.</summary>
internal sealed class DeviceOptionSet
{
    public readonly Option<string> Device = new("--device") { Description = "cpu, cuda or cuda:N (CUDA builds: -p:TorchBackend=cuda)", DefaultValueFactory = _ => "cpu" };
    public readonly Option<string> Precision = new("--precision") { Description = "model weights on the device: auto (fp32 on CPU, bf16 on CUDA), fp32, fp16, bf16", DefaultValueFactory = _ => "auto" };
    public readonly Option<double?> Budget = new("--memory-budget") { Description = "GiB of device memory the models may hold at once; levels move to the device only while they run" };

    public void AddTo(Command cmd) { cmd.Options.Add(Device); cmd.Options.Add(Precision); cmd.Options.Add(Budget); }

    public DeviceOptions Get(ParseResult r)
    {
        var d = new DeviceOptions(r.GetValue(Device)!, r.GetValue(Precision)!, r.GetValue(Budget));
        _ = d.WeightType;                                                          // validates --precision
        if (!d.IsCpu && !TorchSharp.torch.cuda.is_available())
            throw new UserInputException("--device", $"--device {d.Device}: CUDA is not available in this build or on this machine (build with -p:TorchBackend=cuda)");
        return d;
    }
}
