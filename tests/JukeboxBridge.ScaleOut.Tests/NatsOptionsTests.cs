using JukeboxBridge.Errors;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.ScaleOut.Tests;

/// <summary>The NATS options are checked once, with errors that name the option.</summary>
public class NatsOptionsTests
{
    [Fact]
    public void Credentials_readable_by_others_plaintext_off_loopback_and_bad_urls_are_refused()
    {
        using var dir = new TempDir();
        string creds = dir.File("c.json");
        File.WriteAllText(creds, "{\"user\": \"u\", \"password\": \"p\"}");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(creds, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            Assert.Contains("chmod 600", Assert.Throws<UserInputException>(() => new NatsOptions { Url = "nats://127.0.0.1:4222", CredentialsFile = creds }.ToNatsOpts("t")).Message);
            File.SetUnixFileMode(creds, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        var ok = new NatsOptions { Url = "nats://127.0.0.1:4222", CredentialsFile = creds }.ToNatsOpts("t");
        Assert.Equal("u", ok.AuthOpts.Username);
        Assert.Equal(NATS.Client.Core.TlsMode.Disable, ok.TlsOpts.Mode);

        var remote = new NatsOptions { Url = "nats://10.1.2.3:4222", CredentialsFile = creds };
        Assert.Equal(NATS.Client.Core.TlsMode.Require, remote.ToNatsOpts("t").TlsOpts.Mode);
        Assert.Equal("--nats-tls", Assert.Throws<UserInputException>(() => (remote with { Tls = "off" }).ToNatsOpts("t")).Field);
        Assert.Equal("--nats-credentials", Assert.Throws<UserInputException>(() => (remote with { CredentialsFile = null }).ToNatsOpts("t")).Field);
        Assert.Equal("--nats", Assert.Throws<UserInputException>(() => new NatsOptions { Url = "http://x:1" }.ToNatsOpts("t")).Field);
        File.WriteAllText(creds, "{\"user\": \"u\"}");
        Assert.Contains("'password'", Assert.Throws<UserInputException>(() => new NatsOptions { Url = "nats://127.0.0.1:4222", CredentialsFile = creds }.ToNatsOpts("t")).Message);
    }

    [Fact]
    public void Messages_from_the_bus_that_name_folders_outside_the_jobs_folder_or_are_not_json_are_dropped()
    {
        Assert.NotNull(Wire.Decode<JobTicket>(Wire.Encode(new JobTicket("local", "20261202-230256-8349cf")), out _));
        Assert.Null(Wire.Decode<JobTicket>(Wire.Encode(new JobTicket("..", "x")), out var why));
        Assert.NotNull(why);
        Assert.Null(Wire.Decode<JobTicket>(Wire.Encode(new JobTicket("local", "../../etc")), out _));
        Assert.Null(Wire.Decode<JobTicket>("not json"u8, out _));
        Assert.Null(Wire.Decode<JobTicket>(new byte[Wire.MaxBytes + 1], out why));
        Assert.Contains("bytes", why);
        Assert.Null(Wire.Decode<WorkerEvent>(Wire.Encode(new WorkerEvent("explode", "local", "j", "w")), out _));
        Assert.Null(Wire.Decode<WorkerEvent>(Wire.Encode(new WorkerEvent("block", "local", "j", "w") { Seq = -1 }), out _));
    }
}
