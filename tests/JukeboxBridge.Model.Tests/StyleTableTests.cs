using JukeboxBridge.Model.Labels;
using JukeboxBridge.TestSupport;

namespace JukeboxBridge.Model.Tests;

/// <summary>Artist and genre ids as the reference looks them up (the lookups of every lyrics_labels case).</summary>
[Trait("Category", "Parity")]
[Trait("Area", "Prior")]
public class StyleTableTests
{
    public static IEnumerable<object[]> Cases() => FixtureCases.Rows("prior", "lyrics_labels");

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lookups_match_the_reference(string name)
    {
        var c = FixtureCases.Get("prior", "lyrics_labels", name);
        var table = StyleTable.Load(Fixtures.Dir("ids"), c.Json.GetProperty("version").GetString()!);
        int n = 0;
        foreach (var l in c.Json.GetProperty("lookups").EnumerateArray())
        {
            if (l.TryGetProperty("artist", out var a))
                Assert.True(l.GetProperty("artist_id").GetInt32() == table.ArtistId(a.GetString()!), $"artist '{a.GetString()}'");
            else
                Assert.Equal(l.GetProperty("genre_ids").EnumerateArray().Select(x => x.GetInt32()), table.GenreIds(l.GetProperty("genre").GetString()!));
            n++;
        }
        Assert.True(n > 0);
    }

    [Fact]
    public void Unknown_names_are_refused_with_close_matches()
    {
        var v2 = StyleTable.Load(Fixtures.Dir("ids"), "v2");
        Assert.Equal("c_line_dion", StyleTable.NormaliseV2("Céline Dion"));
        Assert.Equal(v2.ArtistId("Alan Jackson"), v2.ResolveArtist("alan   JACKSON"));
        var e = Assert.Throws<UnknownStyleException>(() => v2.ResolveArtist("Alan Jaxon"));
        Assert.Contains("alan_jackson", e.Suggestions);
        Assert.Contains("unknown artist 'Alan Jaxon'", e.Message);
        Assert.Throws<UnknownStyleException>(() => v2.ResolveGenres("Blues Rokc"));
        Assert.Equal(new[] { 2, 8 }, v2.ResolveGenres("Blues Rock"));
        Assert.Throws<FileNotFoundException>(() => StyleTable.Load(Path.GetTempPath(), "v3"));
    }
}
