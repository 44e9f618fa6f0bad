using System.CommandLine;
using JukeboxBridge.Audio;
using JukeboxBridge.Model;

namespace JukeboxBridge.Cli.Commands;

/// <summary>jukebox doctor: checks that the Torch backend loads and runs, whether CUDA is there, and ffmpeg.</summary>
public static class DoctorCommand
{
    public static Command Create(CliContext ctx)
    {
        var cmd = new Command("doctor", "Check this machine: Torch backend (CPU/CUDA), a tensor op, ffmpeg");
        cmd.SetAction(_ =>
        {
            int problems = 0;
            try
            {
                var t = TorchEnvironment.Probe();
                ctx.Out.WriteLine($"torch backend: {t.Backend} (TorchSharp), {t.SmokeTest}");
                ctx.Out.WriteLine($"cuda:          {(t.CudaAvailable ? $"{t.CudaDevices} device(s)" : "not available (CPU only; build with -p:TorchBackend=cuda on a GPU machine)")}");
                var threads = TorchThreads.Requested ?? ThreadSetting.Auto;
                int free = TorchThreads.FreeCores(TimeSpan.FromMilliseconds(200));
                ctx.Out.WriteLine($"threads:       {threads} ({(threads.IsAuto ? free : threads.Fixed)} while sampling now; {free} of {Environment.ProcessorCount} cores free; --threads or JUKEBOX_THREADS)");
            }
            catch (Exception e)
            {
                problems++;
                ctx.Out.WriteLine($"torch backend: FAILED: {e.GetBaseException().Message}");
            }
            var ff = new FfmpegDecoder().Locate();
            ctx.Out.WriteLine($"ffmpeg:        {ff ?? "not on PATH (only WAV input; apt-get install ffmpeg for mp3/flac/ogg/m4a)"}");
            return problems == 0 ? 0 : 1;
        });
        return cmd;
    }
}
