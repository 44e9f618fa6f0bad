using JukeboxBridge.Errors;
namespace JukeboxBridge.Model.Transformers;

/// <summary>The reference's attn_func values used by the released models.</summary>
public enum AttentionKind
{
    Dense = 0,
    Block = 1,
    TransposeBlock = 2,
    PreviousBlock = 3,
    Cross = 6,
    Prime = 7,
}

/// <summary>Which attention each layer of a stack uses, from the reference's attn_order.</summary>
public static class AttentionOrder
{
    private static readonly AttentionKind[] Cycle = { AttentionKind.Block, AttentionKind.TransposeBlock, AttentionKind.PreviousBlock };

    public static AttentionKind For(int attnOrder, int layer) => attnOrder switch
    {
        0 => AttentionKind.Dense,
        1 => layer % 2 == 0 ? AttentionKind.Block : AttentionKind.TransposeBlock,
        2 => Cycle[layer % 3],
        8 => (layer % 10) == 9 ? AttentionKind.Cross : Cycle[(layer % 10) % 3],
        10 => Order10(layer),
        12 => layer % 16 == 15 ? new[] { AttentionKind.Prime, AttentionKind.Prime, AttentionKind.Dense }[layer % 3] : Cycle[layer % 3],
        _ => throw new ModelInputException("attn_order", $"attn_order {attnOrder} is not supported (0, 1, 2, 8, 10, 12 are)"),
    };

    private static AttentionKind Order10(int layer)
    {
        int i = layer % 79;
        if (i < 9) return Cycle[i % 3];
        int j = (i - 9) % 10;
        return j == 9 ? AttentionKind.Cross : Cycle[j % 3];
    }
}
