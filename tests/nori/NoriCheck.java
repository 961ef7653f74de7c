// Loads what `chaja export opensearch` wrote into Lucene's Nori analysis chain (the one OpenSearch and
// Elasticsearch build from the template): the user dictionary rules, the stop tags, the decompound
// mode, the reading form and lowercase, and the search-time synonyms over a tokenizer that does not
// decompound. Prints each text's tokens, one text per line. Run by tests/external/nori.rs:
//   java -cp <lucene jars> NoriCheck.java RULES_FILE STOPTAGS MODE SYNONYMS_FILE TEXT...
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.ko.KoreanPartOfSpeechStopFilter;
import org.apache.lucene.analysis.ko.KoreanReadingFormFilter;
import org.apache.lucene.analysis.ko.KoreanTokenizer;
import org.apache.lucene.analysis.ko.POS;
import org.apache.lucene.analysis.ko.dict.UserDictionary;
import org.apache.lucene.analysis.synonym.SolrSynonymParser;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;

public class NoriCheck {
  static Analyzer chain(UserDictionary dict, Set<POS.Tag> stop, KoreanTokenizer.DecompoundMode mode) {
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String field) {
        Tokenizer tokenizer = new KoreanTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, dict, mode, false);
        TokenStream stream = new KoreanPartOfSpeechStopFilter(tokenizer, stop);
        stream = new KoreanReadingFormFilter(stream);
        stream = new LowerCaseFilter(stream);
        return new TokenStreamComponents(tokenizer, stream);
      }
    };
  }

  public static void main(String[] args) throws Exception {
    UserDictionary dict = UserDictionary.open(new StringReader(Files.readString(Path.of(args[0]))));
    Set<POS.Tag> stop = new HashSet<>();
    for (String tag : args[1].split(",")) {
      stop.add(POS.resolveTag(tag));
    }
    KoreanTokenizer.DecompoundMode mode = KoreanTokenizer.DecompoundMode.valueOf(args[2].toUpperCase());
    // Rule by rule, as the template's `lenient: true` has OpenSearch skip a rule Nori cannot read.
    Analyzer search = chain(dict, stop, KoreanTokenizer.DecompoundMode.NONE);
    int loaded = 0;
    int skipped = 0;
    for (String rule : Files.readAllLines(Path.of(args[3]))) {
      SolrSynonymParser parser = new SolrSynonymParser(true, true, search);
      try {
        parser.parse(new StringReader(rule));
        SynonymMap map = parser.build();
        loaded += map.words.size() > 0 ? 1 : 0;
      } catch (Exception e) {
        skipped++;
      }
    }
    System.out.println("synonyms " + loaded + " skipped " + skipped);
    Analyzer analyzer = chain(dict, stop, mode);
    for (int i = 4; i < args.length; i++) {
      try (TokenStream stream = analyzer.tokenStream("body", args[i])) {
        CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
        stream.reset();
        StringBuilder line = new StringBuilder();
        while (stream.incrementToken()) {
          line.append(term).append(' ');
        }
        stream.end();
        System.out.println(line.toString().trim());
      }
    }
  }
}
