using JukeboxBridge.Errors;
using JukeboxBridge.Model;
using Xunit;

namespace JukeboxBridge.Model.Tests;

public class TorchThreadsTests
{
    private static CpuSample S(double busy, double total, double self) => new(busy, total, self, TimeSpan.Zero);

    [Fact]
    public void Free_cores_are_what_other_processes_leave()
    {
        // 2 cores, 200 ticks of machine time in the interval.
        Assert.Equal(2, TorchThreads.FreeOf(S(0, 0, 0), S(10, 200, 0), 2));      // others: 0.1 core of noise
        Assert.Equal(1, TorchThreads.FreeOf(S(0, 0, 0), S(100, 200, 0), 2));     // one busy process
        Assert.Equal(2, TorchThreads.FreeOf(S(0, 0, 0), S(190, 200, 180), 2));   // the busy one is this process
        Assert.Equal(1, TorchThreads.FreeOf(S(0, 0, 0), S(200, 200, 0), 2));     // both cores busy elsewhere: still one thread
        Assert.Equal(3, TorchThreads.FreeOf(S(0, 0, 0), S(50, 400, 0), 4));      // half a core busy on 4 cores
        Assert.Equal(4, TorchThreads.FreeOf(S(5, 5, 0), S(5, 5, 0), 4));         // no time passed: all cores
    }

    [Fact]
    public void A_busy_process_beside_this_one_is_seen_on_linux()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessorCount < 2) return;
        var before = CpuSample.Read();
        Assert.NotNull(before);
        using var spin = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", "while :; do :; done"]))!;
        try
        {
            Thread.Sleep(300);
            var a = CpuSample.Read()!.Value;
            Thread.Sleep(700);
            var b = CpuSample.Read()!.Value;
            Assert.True(b.MachineBusy - a.MachineBusy >= 0.5 * (b.MachineTotal - a.MachineTotal) / Environment.ProcessorCount,
                        "the spinning shell should show as at least half a core of machine time");
            Assert.True(TorchThreads.FreeOf(a, b, Environment.ProcessorCount) <= Environment.ProcessorCount - 1);
        }
        finally { spin.Kill(); spin.WaitForExit(); }
    }

    [Theory]
    [InlineData("auto", 0)]
    [InlineData("AUTO", 0)]
    [InlineData("1", 1)]
    [InlineData(" 8 ", 8)]
    public void Settings_parse(string text, int expected) => Assert.Equal(expected, ThreadSetting.Parse(text).Fixed);

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("two")]
    [InlineData("1.5")]
    [InlineData("5000")]
    public void Bad_settings_name_the_option(string text)
    {
        var e = Assert.Throws<UserInputException>(() => ThreadSetting.Parse(text));
        Assert.Equal("--threads", e.Field);
        Assert.Contains("auto", e.Message);
    }
}
