using System.Text.Json;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Cli.Tests;

/// <summary>jukebox styles add/list/remove: styles of your own, checked against the embedded default model (its own id tables).</summary>
public class UserStylesCommandTests
{
    [Fact]
    public void A_style_is_checked_against_the_model_kept_listed_and_removed()
    {
        using var dir = new TempDir();
        string styles = dir.File("styles");
        var (code, stdout, err) = CliRunner.Run("styles", "add", "My rock", "--artist", "brass_city", "--genre", "rock", "--styles-dir", styles);
        Assert.True(code == 0, err);
        string file = stdout.Trim();
        Assert.Equal(Path.Combine(styles, "my-rock.json"), file);
        using (var json = JsonDocument.Parse(File.ReadAllText(file)))   // the plugin presets' format
        {
            Assert.Equal("My rock", json.RootElement.GetProperty("name").GetString());
            Assert.Equal("brass_city", json.RootElement.GetProperty("artist").GetString());
            Assert.Equal("rock", json.RootElement.GetProperty("genres")[0].GetString());
        }

        // Unknown names: refused with the closest ones, and nothing written.
        (code, _, err) = CliRunner.Run("styles", "add", "Typo", "--artist", "brass_cty", "--genre", "rock", "--styles-dir", styles);
        Assert.Equal(1, code);
        Assert.Contains("unknown artist 'brass_cty'", err);
        Assert.Contains("closest: brass_city", err);
        (code, _, err) = CliRunner.Run("styles", "add", "Typo", "--artist", "brass_city", "--genre", "rokc", "--styles-dir", styles);
        Assert.Equal(1, code);
        Assert.Contains("unknown genre 'rokc'", err);
        // Lyrics on a model without lyrics conditioning: refused.
        File.WriteAllText(dir.File("lyrics.txt"), "la la la");
        (code, _, err) = CliRunner.Run("styles", "add", "Sung", "--artist", "brass_city", "--genre", "rock", "--lyrics", dir.File("lyrics.txt"), "--styles-dir", styles);
        Assert.Equal(1, code);
        Assert.Contains("no lyrics conditioning", err);
        // The same name twice: refused unless --replace.
        (code, _, err) = CliRunner.Run("styles", "add", "MY ROCK", "--artist", "grit", "--genre", "rock", "--styles-dir", styles);
        Assert.Equal(1, code);
        Assert.Contains("exists already", err);
        (code, _, err) = CliRunner.Run("styles", "add", "My rock", "--artist", "grit", "--genre", "rock", "--replace", "--styles-dir", styles);
        Assert.True(code == 0, err);
        Assert.Single(Directory.GetFiles(styles));

        (code, stdout, _) = CliRunner.Run("styles", "list", "--styles-dir", styles);
        Assert.Equal(0, code);
        Assert.StartsWith("My rock\tgrit\trock\tno lyrics\tdefault", stdout);
        (code, _, err) = CliRunner.Run("styles", "remove", "my rock", "--styles-dir", styles);
        Assert.True(code == 0, err);
        (code, stdout, err) = CliRunner.Run("styles", "list", "--styles-dir", styles);
        Assert.Equal("", stdout);
        Assert.Contains("no styles of your own", err);
        (code, _, err) = CliRunner.Run("styles", "remove", "my rock", "--styles-dir", styles);
        Assert.Equal(1, code);
        Assert.Contains("no style named", err);
    }
}
