using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Perfolizer.Horology;
using VoiceBridge.Benchmarks;

// dotnet run -c Release --project tests/VoiceBridge.Benchmarks -- --filter '*'
// ShortRun with 8 iterations (3 warm-ups, 1 launch) keeps a full run to a few minutes on a shared machine;
// the error columns say how far to trust each number. One table per class, so Ratio is against that class's
// baseline ("ours").
var config = ManualConfig.Create(DefaultConfig.Instance)
    .AddJob(Job.ShortRun.WithIterationCount(8))
    .WithSummaryStyle(SummaryStyle.Default.WithTimeUnit(TimeUnit.Nanosecond))
    .AddColumn(CategoriesColumn.Default);

if (Comparator.EnsureAvailable())
{
    Comparator.PrintSanityCheck();
    InterleavedTiming.Print();
}
else
{
    config = config.AddFilter(new SimpleFilter(benchmark => !benchmark.Descriptor.Categories.Contains(Comparator.Category)));
}

if (args.Any(arg => arg.Contains("Audit", StringComparison.OrdinalIgnoreCase)))
{
    AuditRecordBenchmarks.PrintInterleaved();
}

BenchmarkSwitcher.FromAssembly(typeof(Comparator).Assembly).Run(args, config);
