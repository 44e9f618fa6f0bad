namespace JukeboxBridge.Synth.Instruments;

/// <summary>A small deterministic white-noise source (xorshift32), uniform in [-1, 1).</summary>
public struct Noise(uint seed)
{
    private uint _s = seed == 0 ? 0x9E3779B9u : seed;

    public float Next()
    {
        _s ^= _s << 13; _s ^= _s >> 17; _s ^= _s << 5;
        return (_s >> 8) * (2f / (1 << 24)) - 1f;
    }
}
