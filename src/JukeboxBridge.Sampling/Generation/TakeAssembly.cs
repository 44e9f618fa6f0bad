namespace JukeboxBridge.Sampling.Generation;

/// <summary>Joins a decoded prompt and streamed blocks into one take per variation (clamped to ±1, cut to the job's length).</summary>
public static class TakeAssembly
{
    public static float[][] Join(float[][]? prompt, IEnumerable<DecodedBlock> blocks, int variations, long totalSamples)
    {
        var all = blocks.ToList();
        if (prompt is not null) all.Insert(0, new DecodedBlock(-1, 0, prompt, 0));
        long keep = Math.Min(totalSamples, all.Sum(b => (long)b.Audio[0].Length));
        var takes = new float[variations][];
        for (int i = 0; i < variations; i++)
        {
            var samples = new float[keep];
            long at = 0;
            foreach (var b in all)
            {
                int len = (int)Math.Min(b.Audio[i].Length, keep - at);
                if (len <= 0) break;
                b.Audio[i].AsSpan(0, len).CopyTo(samples.AsSpan((int)at));
                at += len;
            }
            for (int k = 0; k < samples.Length; k++) samples[k] = Math.Clamp(samples[k], -1f, 1f);
            takes[i] = samples;
        }
        return takes;
    }
}
