using System.Numerics;
using System.Text.Json;
using JukeboxBridge.Checkpoints.Pickle;

namespace JukeboxBridge.Checkpoints;

/// <summary>Writes unpickled plain values as JSON (non-finite floats as the strings "inf", "-inf", "nan").</summary>
public static class PyJson
{
    public static void Write(Utf8JsonWriter w, object? v)
    {
        switch (v)
        {
            case null: w.WriteNullValue(); break;
            case bool b: w.WriteBooleanValue(b); break;
            case long l: w.WriteNumberValue(l); break;
            case BigInteger bi: w.WriteRawValue(bi.ToString()); break;
            case double d when double.IsFinite(d): w.WriteNumberValue(d); break;
            case double d: w.WriteStringValue(double.IsNaN(d) ? "nan" : d > 0 ? "inf" : "-inf"); break;
            case string s: w.WriteStringValue(s); break;
            case byte[] bytes: w.WriteBase64StringValue(bytes); break;
            case PyTuple t:
                w.WriteStartArray();
                foreach (var i in t.Items) Write(w, i);
                w.WriteEndArray();
                break;
            case List<object?> l2:
                w.WriteStartArray();
                foreach (var i in l2) Write(w, i);
                w.WriteEndArray();
                break;
            case PyDict d2:
                w.WriteStartObject();
                foreach (var (k, val) in d2.Items)
                {
                    w.WritePropertyName(ObjectTree.KeyText(k));
                    Write(w, val);
                }
                w.WriteEndObject();
                break;
            case NumpyDtype dt: w.WriteStringValue(dt.Descr); break;
            case PyGlobal g: w.WriteStringValue(g.FullName); break;
            default: w.WriteStringValue(v.ToString()); break;
        }
    }
}
