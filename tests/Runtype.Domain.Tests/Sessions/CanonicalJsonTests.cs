using System.Globalization;
using Runtype.Domain.Sessions;

namespace Runtype.Domain.Tests.Sessions;

/// <summary>
/// RFC 8785 (JCS) canonical form and the productObject hash. Expected values were worked out by hand and checked
/// independently: canonical forms with a small JCS in Node.js (JSON.stringify of sorted keys), hashes with python3 hashlib.
/// </summary>
public sealed class CanonicalJsonTests
{
    [Fact]
    public void Null_has_a_null_hash()
    {
        Assert.Null(CanonicalJson.Hash(null));
    }

    [Fact]
    public void The_hash_is_the_lowercase_hex_sha256_of_the_canonical_utf8_bytes()
    {
        // Canonical form: {"ctl":"\u001f\t","dims":{"h":100,"w":1},"name":"Widget","price":1,"tags":["a/b","été"]}
        const string productObject = """
            {
              "tags": ["a/b", "\u00e9t\u00e9"],
              "price": 1.0,
              "name": "Widget",
              "dims": { "w": 10e-1, "h": 1e2 },
              "ctl": "\u001F\t"
            }
            """;

        Assert.Equal("""{"ctl":"\u001f\t","dims":{"h":100,"w":1},"name":"Widget","price":1,"tags":["a/b","été"]}""", CanonicalJson.Canonicalize(productObject));
        Assert.Equal("22a60ad50b2767fcb54eccb68118eff3ac1ef7eb6b9dc29691b9bf0e01ae0c5a", CanonicalJson.Hash(productObject));
    }

    [Fact]
    public void The_hash_of_an_empty_object_is_the_sha256_of_two_braces()
    {
        Assert.Equal("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", CanonicalJson.Hash(" { } "));
    }

    [Theory]
    [InlineData("""{"b":{"d":[1,{"f":true,"e":null}],"c":"x"},"a":0}""")]
    [InlineData("""{"a":0,"b":{"c":"x","d":[1,{"e":null,"f":true}]}}""")]
    [InlineData("""  {  "a" : 0 ,  "b" : { "c" : "x" , "d" : [ 1 , { "e" : null , "f" : true } ] } }  """)]
    [InlineData("{\n\t\"b\": {\r\n\t\t\"c\": \"x\",\n\t\t\"d\": [\n\t\t\t1,\n\t\t\t{\"f\": true,\n\"e\": null}\n\t\t]\n\t},\n\t\"a\": 0\n}\n")]
    public void Key_order_and_whitespace_do_not_change_the_hash_at_any_depth(string json)
    {
        const string canonical = """{"a":0,"b":{"c":"x","d":[1,{"e":null,"f":true}]}}""";

        Assert.Equal(canonical, CanonicalJson.Canonicalize(json));
        Assert.Equal(CanonicalJson.Hash(canonical), CanonicalJson.Hash(json));
    }

    [Theory]
    [InlineData("""{"a":[2,1]}""")]
    [InlineData("""{"a":[1,2],"b":null}""")]
    [InlineData("""{"a":[1,"2"]}""")]
    [InlineData("""{"A":[1,2]}""")]
    [InlineData("""{"a":[1,2.5]}""")]
    public void Any_change_of_content_changes_the_hash(string json)
    {
        Assert.NotEqual(CanonicalJson.Hash("""{"a":[1,2]}"""), CanonicalJson.Hash(json));
    }

    [Theory]
    [InlineData("1.0")]
    [InlineData("1")]
    [InlineData("1e0")]
    [InlineData("1E0")]
    [InlineData("10e-1")]
    [InlineData("1.000000000000000000001")]
    [InlineData("0.1e1")]
    public void Numbers_are_canonical_so_every_spelling_of_one_hashes_alike(string number)
    {
        var json = $$"""{"n":{{number}}}""";

        Assert.Equal("""{"n":1}""", CanonicalJson.Canonicalize(json));
        Assert.Equal(CanonicalJson.Hash("""{"n":1}"""), CanonicalJson.Hash(json));
    }

    [Fact]
    public void One_e_two_is_one_hundred()
    {
        Assert.Equal(CanonicalJson.Hash("""{"n":100}"""), CanonicalJson.Hash("""{"n":1e2}"""));
        Assert.Equal("""{"n":100}""", CanonicalJson.Canonicalize("""{"n":1E+2}"""));
    }

    [Theory]
    [InlineData("-0", "0")]
    [InlineData("-0.0", "0")]
    [InlineData("0e10", "0")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("1e15", "1000000000000000")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("1e-6", "0.000001")]
    [InlineData("0.000001234", "0.000001234")]
    [InlineData("1.5e-7", "1.5e-7")]
    [InlineData("123456789012345680000", "123456789012345680000")]
    [InlineData("123456789012345678901234567890", "1.2345678901234568e+29")]
    [InlineData("5e-324", "5e-324")]
    [InlineData("-5e-324", "-5e-324")]
    [InlineData("1.7976931348623157e308", "1.7976931348623157e+308")]
    [InlineData("-1.7976931348623157e308", "-1.7976931348623157e+308")]
    [InlineData("1e-400", "0")]
    [InlineData("0.1", "0.1")]
    [InlineData("-1.5", "-1.5")]
    [InlineData("10.50", "10.5")]
    [InlineData("100.001", "100.001")]
    [InlineData("9007199254740993", "9007199254740992")]
    public void Numbers_are_written_as_EcmaScript_Number_toString(string number, string expected)
    {
        Assert.Equal($"[{expected}]", CanonicalJson.Canonicalize($"[{number}]"));
    }

    /// <summary>RFC 8785 appendix B: IEEE 754 bit patterns and their canonical text.</summary>
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Rfc8785_number_serialization_samples(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(long.Parse(ieeeHex, NumberStyles.HexNumber, CultureInfo.InvariantCulture));
        var json = $"[{value.ToString("E17", CultureInfo.InvariantCulture)}]";

        Assert.Equal($"[{expected}]", CanonicalJson.Canonicalize(json));
    }

    [Fact]
    public void Rfc8785_section_3_2_2_example()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;

        Assert.Equal(
            """{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}""",
            CanonicalJson.Canonicalize(input));
        Assert.Equal("2d5e01a318d0f0879ab568c4be289c8b1f64ef8921a53c6277d5e069978baacb", CanonicalJson.Hash(input));
    }

    [Fact]
    public void Rfc8785_numbers_example()
    {
        Assert.Equal(
            """{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]}""",
            CanonicalJson.Canonicalize("""{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001]}"""));
    }

    [Fact]
    public void Rfc8785_section_3_2_3_sorting_example_orders_keys_by_utf16_code_units()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;

        Assert.Equal(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin Small Letter O With Diaeresis\","
            + "\"\u20ac\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}",
            CanonicalJson.Canonicalize(input));
        Assert.Equal("5e321556d22018a9656991a9e94f77ec175fa193e52a2429d312f8419ec8b08c", CanonicalJson.Hash(input));
    }

    [Fact]
    public void A_non_bmp_key_sorts_by_its_high_surrogate_before_a_higher_bmp_key()
    {
        // By code point U+FB33 < U+1F600; by UTF-16 code unit 0xD83D < 0xFB33. JCS uses code units.
        Assert.Equal("{\"\ud83d\ude00\":2,\"\ufb33\":1}", CanonicalJson.Canonicalize("""{"\ufb33":1,"\ud83d\ude00":2}"""));
    }

    [Fact]
    public void Keys_sort_by_code_unit_not_by_culture()
    {
        Assert.Equal("""{"B":1,"a":2,"b":3,"é":4}""", CanonicalJson.Canonicalize("""{"é":4,"b":3,"a":2,"B":1}"""));
    }

    [Fact]
    public void An_escaped_and_a_literal_non_ascii_character_hash_alike()
    {
        Assert.Equal(CanonicalJson.Hash("""{"s":"é"}"""), CanonicalJson.Hash("""{"s":"\u00e9"}"""));
        Assert.Equal("""{"s":"é"}""", CanonicalJson.Canonicalize("""{"s":"\u00E9"}"""));
        Assert.Equal("""{"é":1}""", CanonicalJson.Canonicalize("""{"\u00e9":1}"""));
    }

    [Fact]
    public void An_escaped_surrogate_pair_is_written_as_the_character()
    {
        Assert.Equal("{\"s\":\"\ud83d\ude00\"}", CanonicalJson.Canonicalize("""{"s":"\ud83d\ude00"}"""));
        Assert.Equal(CanonicalJson.Hash("{\"s\":\"\ud83d\ude00\"}"), CanonicalJson.Hash("""{"s":"\uD83D\uDE00"}"""));
    }

    [Theory]
    [InlineData("""["\u0000"]""", """["\u0000"]""")]
    [InlineData("""["\u0001\u001F"]""", """["\u0001\u001f"]""")]
    [InlineData("""["\u000b"]""", """["\u000b"]""")]
    [InlineData("""["\u0008\u0009\u000A\u000C\u000D"]""", """["\b\t\n\f\r"]""")]
    [InlineData("""["\"\\"]""", """["\"\\"]""")]
    [InlineData("""["\/a/b"]""", """["/a/b"]""")]
    [InlineData("""["\u0041\u007f"]""", "[\"A\u007f\"]")]
    [InlineData("""["\u2028<>&'"]""", "[\"\u2028<>&'\"]")]
    public void Strings_are_escaped_minimally_with_lowercase_hex(string json, string expected)
    {
        Assert.Equal(expected, CanonicalJson.Canonicalize(json));
    }

    [Theory]
    [InlineData("""{"n":1e400}""")]
    [InlineData("""{"n":-1e400}""")]
    [InlineData("""{"a":[{"n":1E309}]}""")]
    [InlineData("""{"s":"\ud800"}""")]
    [InlineData("""{"s":"a\udc00b"}""")]
    [InlineData("""{"s":"\ud83d"}""")]
    [InlineData("""{"s":"\ude00\ud83d"}""")]
    [InlineData("""{"\ud800":1}""")]
    [InlineData("""{"a":1,"a":2}""")]
    [InlineData("""{"a":""")]
    [InlineData("""{'a':1}""")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a":NaN}""")]
    [InlineData("")]
    public void Input_without_a_canonical_form_is_an_InvalidProductObject(string json)
    {
        Assert.Throws<InvalidProductObject>(() => CanonicalJson.Hash(json));
    }

    [Fact]
    public void A_literal_unpaired_surrogate_in_the_text_is_an_InvalidProductObject()
    {
        Assert.Throws<InvalidProductObject>(() => CanonicalJson.Hash("{\"s\":\"\ud800\"}"));
    }
}
