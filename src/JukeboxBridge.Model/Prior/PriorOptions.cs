using System.Text.Json;
using System.Text.Json.Serialization;
using JukeboxBridge.Model.Transformers;

namespace JukeboxBridge.Model.Prior;

/// <summary>
/// A prior's shape, with the reference's hyper-parameter names (make_prior's hps) plus what it derives from
/// the VQ-VAE (l_bins, the level's hop, the level above's down-sampling). Lyrics options arrive with the lyrics work.
/// </summary>
public sealed record PriorOptions
{
    [JsonPropertyName("level")] public int Level { get; init; }
    [JsonPropertyName("n_ctx")] public int NCtx { get; init; }
    [JsonPropertyName("prior_width")] public int Width { get; init; }
    [JsonPropertyName("prior_depth")] public int Depth { get; init; }
    [JsonPropertyName("heads")] public int Heads { get; init; } = 1;
    [JsonPropertyName("attn_order")] public int AttnOrder { get; init; } = 2;
    [JsonPropertyName("blocks")] public int? Blocks { get; init; }
    [JsonPropertyName("m_attn")] public double MAttn { get; init; } = 0.25;
    [JsonPropertyName("m_mlp")] public double MMlp { get; init; } = 1.0;
    [JsonPropertyName("init_scale")] public double InitScale { get; init; } = 1.0;
    [JsonPropertyName("res_scale")] public bool ResScale { get; init; }
    [JsonPropertyName("merged_decoder")] public bool MergedDecoder { get; init; }
    [JsonPropertyName("labels")] public bool Labels { get; init; }
    [JsonPropertyName("y_bins"), JsonConverter(typeof(OptionalJsonElement))] public JsonElement YBins { get; init; }
    [JsonPropertyName("t_bins")] public int TBins { get; init; } = 64;
    [JsonPropertyName("max_bow_genre_size")] public int? MaxBowGenreSize { get; init; }
    [JsonPropertyName("sr")] public int SampleRate { get; init; } = 44100;
    [JsonPropertyName("min_duration")] public double? MinDuration { get; init; }
    [JsonPropertyName("max_duration")] public double? MaxDuration { get; init; }
    // Lyrics (5b_lyrics: a separate lyric encoder with cross attention; 1b_lyrics: one merged sequence).
    [JsonPropertyName("use_tokens")] public bool UseTokens { get; init; }
    [JsonPropertyName("n_tokens")] public int NTokens { get; init; }
    [JsonPropertyName("n_vocab")] public int NVocab { get; init; }
    /// <summary>The layer and head whose attention over the lyrics aligns them with the music (reference hps; 1b_lyrics 63/0, 5b_lyrics 68/2).</summary>
    [JsonPropertyName("alignment_layer")] public int? AlignmentLayer { get; init; }
    [JsonPropertyName("alignment_head")] public int? AlignmentHead { get; init; }
    [JsonPropertyName("single_enc_dec")] public bool SingleEncDec { get; init; }
    [JsonPropertyName("prime_loss_fraction")] public double PrimeLossFraction { get; init; }
    [JsonPropertyName("prime_width")] public int PrimeWidth { get; init; } = 128;
    [JsonPropertyName("prime_depth")] public int PrimeDepth { get; init; } = 3;
    [JsonPropertyName("prime_heads")] public int PrimeHeads { get; init; } = 1;
    [JsonPropertyName("prime_attn_order")] public int PrimeAttnOrder { get; init; }
    [JsonPropertyName("prime_blocks")] public int? PrimeBlocks { get; init; }
    [JsonPropertyName("prime_m_attn")] public double PrimeMAttn { get; init; } = 0.25;
    [JsonPropertyName("prime_m_mlp")] public double PrimeMMlp { get; init; } = 1.0;
    [JsonPropertyName("prime_init_scale")] public double PrimeInitScale { get; init; } = 1.0;

    /// <summary>5b_lyrics: lyrics go through their own encoder and reach the prior by cross attention.</summary>
    public bool LyricEncoder => UseTokens && !SingleEncDec && NTokens > 0;
    /// <summary>1b_lyrics: lyrics and codes form one sequence over a merged vocabulary.</summary>
    public bool MergedLyrics => UseTokens && SingleEncDec && NTokens > 0;

    /// <summary>5b/5b_lyrics: Conv1D weights are held in float16 (the reference converts them before loading).</summary>
    [JsonPropertyName("fp16_params")] public bool Fp16Params { get; init; }
    [JsonPropertyName("cond_width")] public int CondWidth { get; init; } = 128;
    [JsonPropertyName("cond_depth")] public int CondDepth { get; init; } = 3;
    [JsonPropertyName("cond_m_conv")] public double CondMConv { get; init; } = 1.0;
    [JsonPropertyName("cond_dilation_growth_rate")] public int CondDilationGrowthRate { get; init; } = 1;
    [JsonPropertyName("cond_dilation_cycle")] public int? CondDilationCycle { get; init; }
    [JsonPropertyName("cond_res_scale")] public bool CondResScale { get; init; }
    [JsonPropertyName("cond_c_res")] public int CondCRes { get; init; }

    // Derived from the VQ-VAE the prior works with.
    [JsonPropertyName("l_bins")] public int LBins { get; init; } = 2048;
    [JsonPropertyName("levels")] public int Levels { get; init; } = 3;
    /// <summary>Audio samples per token at this level (8, 32, 128).</summary>
    [JsonPropertyName("raw_to_tokens")] public int RawToTokens { get; init; }
    /// <summary>down_t and stride_t of the level above (the upsampler conditioner's upsampling).</summary>
    [JsonPropertyName("cond_down_t")] public int CondDownT { get; init; } = 2;
    [JsonPropertyName("cond_stride_t")] public int CondStrideT { get; init; } = 2;

    public (int Genres, int Artists) GenreArtistBins =>
        YBins.ValueKind == JsonValueKind.Array ? (YBins[0].GetInt32(), YBins[1].GetInt32()) : (0, 0);

    /// <summary>Conditioned on the codes of the level above (the upsamplers).</summary>
    public bool XCond => Level != Levels - 1;
    /// <summary>Timing embeddings (top level with labels: total length, absolute and relative position).</summary>
    public bool IncludeTimeSignal => Labels && !XCond;
    /// <summary>Upsamplers and un-merged tops tie x_out to x_emb and add x_cond after the transformer.</summary>
    public bool TiedOutput => !MergedDecoder;
    public long SampleLength => (long)NCtx * RawToTokens;
    public int BlockCount => Blocks ?? 1;

    /// <summary>The prior's own autoregressive model (<c>prior</c>): codes, or for 1b_lyrics lyrics and codes in one sequence.</summary>
    public AutoregressiveOptions PriorModel => new(MergedLyrics ? NVocab + LBins : LBins, new TransformerOptions
    {
        Width = Width, NCtx = MergedLyrics ? NTokens + NCtx : NCtx, Heads = Heads, Depth = Depth, AttnOrder = AttnOrder,
        Blocks = BlockCount, MAttn = MAttn, MMlp = MMlp, InitScale = InitScale, ResScale = ResScale, HalfWeights = Fp16Params,
        EncoderDims = LyricEncoder ? NTokens : null, PrimeLen = MergedLyrics ? NTokens : null,
    })
    { HasLabels = Labels, TieOutput = TiedOutput };

    /// <summary>5b_lyrics' lyric encoder (<c>prime_prior</c>): an encoder-only model over the lyric tokens.</summary>
    public AutoregressiveOptions LyricEncoderModel => new(NVocab, new TransformerOptions
    {
        Width = PrimeWidth, NCtx = NTokens, Heads = PrimeHeads, Depth = PrimeDepth, AttnOrder = PrimeAttnOrder,
        Blocks = PrimeBlocks ?? 1, MAttn = PrimeMAttn, MMlp = PrimeMMlp, InitScale = PrimeInitScale, HalfWeights = Fp16Params,
    })
    { OnlyEncode = true };

    /// <summary>The label conditioner (<c>y_emb</c>).</summary>
    public LabelConditionerOptions LabelConditioner => new(GenreArtistBins.Genres, GenreArtistBins.Artists, Width)
    {
        InitScale = InitScale, IncludeTimeSignal = IncludeTimeSignal, NTime = NCtx, TBins = TBins, SampleRate = SampleRate,
        MinDuration = MinDuration ?? 0, MaxDuration = MaxDuration ?? 0,
    };
}

/// <summary>A JsonElement that may be absent: written as null when undefined, and read back as undefined.</summary>
internal sealed class OptionalJsonElement : JsonConverter<JsonElement>
{
    public override bool HandleNull => true;

    public override JsonElement Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Null) return default;
        using var doc = JsonDocument.ParseValue(ref reader);
        return doc.RootElement.Clone();
    }

    public override void Write(Utf8JsonWriter writer, JsonElement value, JsonSerializerOptions options)
    {
        if (value.ValueKind == JsonValueKind.Undefined) writer.WriteNullValue();
        else value.WriteTo(writer);
    }
}
