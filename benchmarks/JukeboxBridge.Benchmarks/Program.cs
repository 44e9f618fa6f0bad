using JukeboxBridge.Benchmarks;

// dotnet run -c Release --project benchmarks/JukeboxBridge.Benchmarks -- NAME [options] [--json]
// Prints a table, or with --json one JSON object per measurement (JSON Lines) on stdout; logs go to stderr.
var benchmarks = new IBenchmark[] { new ResamplerBenchmark(), new VqvaeBenchmark(), new PriorSamplingBenchmark(), new StreamingBenchmark(), new ScaleOutBenchmark() };

bool json = args.Contains("--json");
var rest = args.Where(a => a != "--json").ToArray();
if (rest.Length == 0 || rest[0] is "-h" or "--help")
{
    Console.Error.WriteLine("usage: JukeboxBridge.Benchmarks NAME [options] [--json]");
    foreach (var b in benchmarks) Console.Error.WriteLine($"  {b.Name,-12} {b.Description}");
    return rest.Length == 0 ? 2 : 0;
}
var bench = benchmarks.FirstOrDefault(b => b.Name == rest[0]);
if (bench == null)
{
    Console.Error.WriteLine($"unknown benchmark '{rest[0]}'; known: {string.Join(", ", benchmarks.Select(b => b.Name))}");
    return 2;
}
var results = bench.Run(rest.Skip(1).ToArray());
ResultPrinter.Print(results, json);
return results.All(r => r.Passed) ? 0 : 1;
