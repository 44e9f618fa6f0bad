using JukeboxBridge.Model.Lyrics;

namespace JukeboxBridge.Model.Labels;

/// <summary>
/// Builds a prior's label row (reference Labeller.get_label): [total_length, offset, length, artist,
/// genre ids padded with −1 to max_genre_words, lyric window of n_tokens]. Lengths are in audio samples;
/// <c>length</c> is the prior's sample_length.
/// </summary>
public sealed class Labeller(StyleTable styles, int maxGenreWords, int nTokens, long sampleLength, LyricsVocabulary? vocabulary)
{
    /// <param name="strict">Refuse unknown artists/genres (with close matches) instead of the reference's silent id 0.</param>
    public long[] Label(string artist, string genre, string lyrics, long totalLength, long offset, bool strict = false)
    {
        int artistId = strict ? styles.ResolveArtist(artist) : styles.ArtistId(artist);
        var genres = strict ? styles.ResolveGenres(genre) : styles.GenreIds(genre);
        var row = new List<long> { totalLength, offset, sampleLength, artistId };
        for (int i = 0; i < maxGenreWords; i++) row.Add(i < genres.Length ? genres[i] : -1);
        if (nTokens > 0)
        {
            var full = (vocabulary ?? throw new InvalidOperationException("a lyrics prior needs a vocabulary")).Encode(lyrics);
            row.AddRange(LyricWindow.Select(full, nTokens, totalLength, offset, sampleLength, float32Midpoint: false).Tokens);
        }
        return row.ToArray();
    }
}
