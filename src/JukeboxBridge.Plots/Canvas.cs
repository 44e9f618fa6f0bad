namespace JukeboxBridge.Plots;

/// <summary>An RGB pixel buffer with the few drawing primitives our plots need (clipped at the edges).</summary>
public sealed class Canvas
{
    public readonly byte[] Pixels;
    private readonly int _w, _h;
    public Canvas(int w, int h) { _w = w; _h = h; Pixels = Enumerable.Repeat((byte)255, w * h * 3).ToArray(); }

    public int Width => _w;
    public int Height => _h;

    public (byte R, byte G, byte B) Get(int x, int y) { int i = (y * _w + x) * 3; return (Pixels[i], Pixels[i + 1], Pixels[i + 2]); }

    public byte[] ToPng() => PngWriter.Encode(_w, _h, Pixels);

    public void Set(int x, int y, (byte R, byte G, byte B) c)
    {
        if (x < 0 || y < 0 || x >= _w || y >= _h) return;
        int i = (y * _w + x) * 3;
        Pixels[i] = c.R; Pixels[i + 1] = c.G; Pixels[i + 2] = c.B;
    }

    public void HLine(int xa, int xb, int y, (byte, byte, byte) c) { for (int x = xa; x <= xb; x++) Set(x, y, c); }
    public void VLine(int x, int ya, int yb, (byte, byte, byte) c) { for (int y = ya; y <= yb; y++) Set(x, y, c); }
    public void Dot(int x, int y, (byte, byte, byte) c) { for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) Set(x + dx, y + dy, c); }

    public void Line(int xa, int ya, int xb, int yb, (byte, byte, byte) c)
    {
        int dx = Math.Abs(xb - xa), dy = -Math.Abs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1, err = dx + dy;
        while (true)
        {
            Set(xa, ya, c); Set(xa, ya + 1, c);
            if (xa == xb && ya == yb) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; xa += sx; }
            if (e2 <= dx) { err += dx; ya += sy; }
        }
    }

    public void Text(int x, int y, string s, (byte, byte, byte) c)
    {
        foreach (char ch in s.ToUpperInvariant())
        {
            if (PixelFont.Glyphs.TryGetValue(ch, out var rows))
                for (int r = 0; r < rows.Length; r++)
                    for (int b = 0; b < 5; b++)
                        if ((rows[r] >> (4 - b) & 1) != 0) Set(x + b, y + r, c);
            x += 7;
        }
    }
}
