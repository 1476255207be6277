using System.Globalization;
using System.Text;
using System.Text.Json;
using Runtype.Api.Http;

namespace Runtype.Api.Tests.Http;

/// <summary>The hand-written timestamp text equals the format string it replaced, for every kind of value.</summary>
public sealed class UtcTimestampConverterTests
{
    private const string Reference = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";

    public static TheoryData<DateTime> Edges => new()
    {
        new DateTime(1, 1, 1, 0, 0, 0, DateTimeKind.Utc),
        new DateTime(9999, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc),
        new DateTime(999, 9, 9, 9, 9, 9, 9, DateTimeKind.Utc),
        new DateTime(2024, 2, 29, 12, 0, 0, 0, DateTimeKind.Utc),
        new DateTime(2026, 11, 30, 8, 49, 13, 626, DateTimeKind.Utc).AddTicks(9_999),
        new DateTime(2026, 6, 1, 0, 0, 0, 50, DateTimeKind.Local),
        new DateTime(2026, 6, 1, 0, 0, 0, 50, DateTimeKind.Unspecified),
    };

    [Theory]
    [MemberData(nameof(Edges))]
    public void Writes_what_the_format_string_writes(DateTime value) =>
        Assert.Equal(Expected(value), Written(value));

    [Fact]
    public void Random_timestamps_read_the_same_as_with_the_format_string()
    {
        var random = new Random(20261130);
        for (var i = 0; i < 10_000; i++)
        {
            var value = new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks), DateTimeKind.Utc);
            Assert.Equal(Expected(value), Written(value));
        }
    }

    [Fact]
    public void A_written_timestamp_reads_back_to_its_millisecond()
    {
        var value = new DateTime(2026, 11, 30, 8, 49, 13, 626, DateTimeKind.Utc);
        var options = new JsonSerializerOptions();
        ApiJson.Configure(options);

        Assert.Equal(value, JsonSerializer.Deserialize<DateTime>(JsonSerializer.Serialize(value, options), options));
    }

    private static string Expected(DateTime value) => value.ToUniversalTime().ToString(Reference, CultureInfo.InvariantCulture);

    private static string Written(DateTime value)
    {
        var options = new JsonSerializerOptions();
        ApiJson.Configure(options);
        var json = JsonSerializer.Serialize(value, options);
        Assert.Equal(UtcTimestampConverter.Length + 2, Encoding.UTF8.GetByteCount(json));
        return JsonSerializer.Deserialize<string>(json)!;
    }
}
