using System.Buffers;
using System.Text;
using System.Text.Json;
using Runtype.Api.Http;
using Runtype.Api.Sessions;
using Runtype.Application.Sessions;

namespace Runtype.Api.Tests.Http;

/// <summary>The list page written by hand is byte for byte what System.Text.Json writes with the API's rules.</summary>
public sealed class SessionPageResultTests
{
    private static readonly string[] Texts =
    [
        "", "plain", "quote \" and backslash \\", "line\nbreak\ttab\u0001control", "<script>&amp;'", "é ü ß 中文 🚀",
        "\u2028\u2029", "lone \ud800 surrogate", new string('x', 300),
    ];

    private static readonly string[] Objects =
    [
        "{}", """{"title":"AI Customer Support","n":1.5e3,"ok":true,"none":null}""", """{"nested":{"a":[1,{"b":"\u00e9\n"}]}}""",
        """{ "spaced" : [ 1 , 2 ] }""", """{"emoji":"🚀","escaped":"\ud83d\ude80"}""",
    ];

    [Fact]
    public void An_empty_page_and_its_pagination()
    {
        var page = new SessionPage([], new Pagination(20, 40, 7));

        Assert.Equal("""{"data":[],"pagination":{"limit":20,"offset":40,"total":7}}""", Written(page));
        Assert.Equal(Serialized(page), Written(page));
    }

    [Fact]
    public void Random_pages_are_written_as_the_serializer_writes_them()
    {
        var random = new Random(20261130);
        for (var round = 0; round < 300; round++)
        {
            var sessions = Enumerable.Range(0, random.Next(0, 6)).Select(_ => Session(random)).ToList();
            var page = new SessionPage(sessions, new Pagination(random.Next(1, 101), random.Next(0, 1000), random.Next(0, int.MaxValue)));

            Assert.Equal(Serialized(page), Written(page));
        }
    }

    private static SessionDto Session(Random random)
    {
        string? Text() => random.Next(4) == 0 ? null : Texts[random.Next(Texts.Length)];
        string? Object() => random.Next(4) == 0 ? null : Objects[random.Next(Objects.Length)];
        DateTime Time() => new(random.NextInt64(DateTime.UnixEpoch.Ticks, new DateTime(2100, 1, 1).Ticks), DateTimeKind.Utc);

        return new SessionDto(
            Guid.CreateVersion7(), Texts[random.Next(Texts.Length)], Text(), "generating", Text(), Text(),
            Object(), Object(), Object(), random.Next(2) == 0 ? null : Convert.ToHexStringLower(new byte[32]), Object(),
            Time(), Time(), Time());
    }

    private static string Serialized(SessionPage page)
    {
        var options = new JsonSerializerOptions();
        ApiJson.Configure(options);
        return JsonSerializer.Serialize(page, options);
    }

    private static string Written(SessionPage page)
    {
        var buffer = new ArrayBufferWriter<byte>();
        SessionPageResult.Write(buffer, page);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
