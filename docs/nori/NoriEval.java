// Ranks a benchmark's queries over its documents with the Nori chain `chaja export opensearch` wrote:
// what an OpenSearch/Elasticsearch cluster given the exported template would return for a `match` of
// each query on title and body (BM25; the query's tokens OR-ed; synonyms at search time). Run by
// docs/nori_eval.py, which prepares the files and scores the run:
//   java -cp <lucene jars> NoriEval.java RULES STOPTAGS MODE SYNONYMS DOCS.tsv QUERIES.tsv RUN.txt K1 B
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
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
import org.apache.lucene.analysis.synonym.SynonymGraphFilter;
import org.apache.lucene.analysis.synonym.SynonymMap;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.util.QueryBuilder;

public class NoriEval {
  static Analyzer chain(UserDictionary dict, Set<POS.Tag> stop, KoreanTokenizer.DecompoundMode mode, SynonymMap synonyms) {
    return new Analyzer() {
      @Override
      protected TokenStreamComponents createComponents(String field) {
        Tokenizer tokenizer = new KoreanTokenizer(TokenStream.DEFAULT_TOKEN_ATTRIBUTE_FACTORY, dict, mode, false);
        TokenStream stream = new KoreanPartOfSpeechStopFilter(tokenizer, stop);
        stream = new KoreanReadingFormFilter(stream);
        stream = new LowerCaseFilter(stream);
        if (synonyms != null) {
          stream = new SynonymGraphFilter(stream, synonyms, true);
        }
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
    Analyzer plain = chain(dict, stop, KoreanTokenizer.DecompoundMode.NONE, null);
    // Rules Nori cannot read are skipped, as the template's `lenient: true` has the cluster do.
    StringBuilder good = new StringBuilder();
    for (String rule : Files.readAllLines(Path.of(args[3]))) {
      try {
        new SolrSynonymParser(true, true, plain).parse(new StringReader(rule));
        good.append(rule).append('\n');
      } catch (Exception e) {
        System.err.println("synonym rule skipped: " + rule);
      }
    }
    SolrSynonymParser parser = new SolrSynonymParser(true, true, plain);
    parser.parse(new StringReader(good.toString()));
    SynonymMap synonyms = parser.build();
    Analyzer index = chain(dict, stop, mode, null);
    Analyzer search = chain(dict, stop, KoreanTokenizer.DecompoundMode.NONE, synonyms.fst == null ? null : synonyms);
    BM25Similarity similarity = new BM25Similarity(Float.parseFloat(args[7]), Float.parseFloat(args[8]));
    ByteBuffersDirectory directory = new ByteBuffersDirectory();
    IndexWriterConfig config = new IndexWriterConfig(index).setSimilarity(similarity).setRAMBufferSizeMB(256);
    long started = System.nanoTime();
    try (IndexWriter writer = new IndexWriter(directory, config);
        BufferedReader docs = Files.newBufferedReader(Path.of(args[4]))) {
      String line;
      while ((line = docs.readLine()) != null) {
        String[] f = line.split("\t", -1);
        Document doc = new Document();
        doc.add(new StringField("id", f[0], Field.Store.YES));
        doc.add(new TextField("title", f[1], Field.Store.NO));
        doc.add(new TextField("body", f[2], Field.Store.NO));
        writer.addDocument(doc);
      }
    }
    System.err.printf("indexed in %.1f s%n", (System.nanoTime() - started) / 1e9);
    IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(directory));
    searcher.setSimilarity(similarity);
    QueryBuilder builder = new QueryBuilder(search);
    started = System.nanoTime();
    int queries = 0;
    try (BufferedReader lines = Files.newBufferedReader(Path.of(args[5]));
        PrintWriter run = new PrintWriter(Files.newBufferedWriter(Path.of(args[6])))) {
      String line;
      while ((line = lines.readLine()) != null) {
        String[] q = line.split("\t", 2);
        BooleanQuery.Builder both = new BooleanQuery.Builder();
        for (String field : new String[] {"title", "body"}) {
          Query part = builder.createBooleanQuery(field, q[1], BooleanClause.Occur.SHOULD);
          if (part != null) {
            both.add(part, BooleanClause.Occur.SHOULD);
          }
        }
        ScoreDoc[] hits = searcher.search(both.build(), 10).scoreDocs;
        for (int rank = 0; rank < hits.length; rank++) {
          run.printf("%s\t%s\t%d%n", q[0], searcher.doc(hits[rank].doc).get("id"), rank + 1);
        }
        queries++;
      }
    }
    System.err.printf("%d queries in %.1f s%n", queries, (System.nanoTime() - started) / 1e9);
  }
}
